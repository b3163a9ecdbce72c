using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class ConnectionsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Agency_requests_access_and_the_client_orgAdmin_accepts()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId, message = "Hi!" }).ExpectAsync(HttpStatusCode.Created);
        var id = (string)requested["id"]!;
        Assert.Equal("pending", (string?)requested["state"]);
        Assert.Equal("agency", (string?)requested["initiatedBy"]);
        Assert.Equal(agencyId, (string?)requested["agencyAccountId"]);
        Assert.Equal(clientId, (string?)requested["clientAccountId"]);
        Assert.True((bool?)requested["agencyUsers"]!["all"]);
        Assert.Null(requested["acceptedAt"]);

        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        var accepted = await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", (string?)accepted["state"]);
        Assert.NotNull(accepted["acceptedAt"]);

        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        var fromAgency = await alice.GetJsonAsync($"/api/connections/{id}");
        var fromClient = await carol.GetJsonAsync($"/api/connections/{id}");
        Assert.Equal("active", (string?)fromAgency["state"]);
        Assert.Equal(fromAgency.ToJsonString(), fromClient.ToJsonString());
    }

    [Fact]
    public async Task Every_answer_about_a_connection_names_both_accounts_as_they_are_now()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency", "Acme Agency");
        var clientId = await carol.CreateAccountAsync("client", "Bob's Bikes");
        static (string?, string?) Names(System.Text.Json.Nodes.JsonNode c) => ((string?)c["agencyAccountName"], (string?)c["clientAccountName"]);

        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        var id = (string)requested["id"]!;
        Assert.Equal(("Acme Agency", "Bob's Bikes"), Names(requested));
        Assert.Equal(("Acme Agency", "Bob's Bikes"), Names((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray().Single()!));
        Assert.Equal(("Acme Agency", "Bob's Bikes"), Names((await carol.GetJsonAsync($"/api/accounts/{clientId}/access"))["pending"]!["connectionRequests"]!.AsArray().Single()!));

        // A rename shows in the next answer: the names are read, not copied into the connection.
        await alice.PatchJsonAsync($"/api/accounts/{agencyId}", new { name = "Acme Digital" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("Acme Digital", "Bob's Bikes"), Names((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray().Single()!));
        Assert.Equal(("Acme Digital", "Bob's Bikes"), Names(await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectAsync(HttpStatusCode.OK)));
        Assert.Equal(("Acme Digital", "Bob's Bikes"), Names(await alice.GetJsonAsync($"/api/connections/{id}")));
        Assert.Equal(("Acme Digital", "Bob's Bikes"), Names((await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections"))["items"]!.AsArray().Single()!));
    }

    [Fact]
    public async Task Client_grants_access_and_the_agency_orgAdmin_accepts()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        var offered = await carol.PostJsonAsync($"/api/accounts/{clientId}/connections", new { targetAccountId = agencyId, permissions = new[] { "reports.read", "reports.export" } }).ExpectAsync(HttpStatusCode.Created);
        var id = (string)offered["id"]!;
        Assert.Equal("client", (string?)offered["initiatedBy"]);
        Assert.Equal(agencyId, (string?)offered["agencyAccountId"]);

        await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-accept-by-sender");
        var accepted = await alice.PostAsync($"/api/connections/{id}/accept", null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", (string?)accepted["state"]);

        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q1" }).ExpectAsync(HttpStatusCode.Created);
        Assert.Single((await alice.GetJsonAsync($"/api/accounts/{clientId}/reports"))["items"]!.AsArray());
        await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "not allowed" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task The_client_does_not_choose_agency_users()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carolUser = TestUser.New("carol");
        var carol = factory.ClientFor(carolUser);
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        await carol.PostJsonAsync($"/api/accounts/{clientId}/connections", new { targetAccountId = agencyId, agencyUsers = new { userIds = new[] { carolUser.Id } } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "agency-users-invalid");
    }

    [Fact]
    public async Task Only_an_orgAdmin_of_the_receiving_side_accepts()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (_, manager) = await factory.NewMemberAsync(clientId, "accountManager");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await manager.PostAsync($"/api/connections/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.PostAsync($"/api/connections/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-accept-by-sender");

        Assert.Equal("pending", (string?)(await carol.GetJsonAsync($"/api/connections/{id}"))["state"]);
    }

    [Fact]
    public async Task The_receiving_side_declines_and_a_new_request_may_follow()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await alice.PostAsync($"/api/connections/{id}/decline", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-decline-by-sender");
        var declined = await carol.PostAsync($"/api/connections/{id}/decline", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("declined", (string?)declined["state"]);
        await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-not-pending");
        await alice.GetAsync($"/api/accounts/{clientId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_sending_side_cancels()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await carol.PostAsync($"/api/connections/{id}/cancel", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-cancel-by-receiver");
        var cancelled = await alice.PostAsync($"/api/connections/{id}/cancel", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("cancelled", (string?)cancelled["state"]);
        Assert.NotNull(cancelled["endedAt"]);
        await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-not-pending");
        Assert.Equal("cancelled", (string?)(await carol.GetJsonAsync($"/api/connections/{id}"))["state"]);
    }

    [Fact]
    public async Task One_open_connection_per_agency_and_client()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-exists");
        await carol.PostJsonAsync($"/api/accounts/{clientId}/connections", new { targetAccountId = agencyId }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-exists");
    }

    [Fact]
    public async Task Accounts_on_the_same_side_cannot_connect()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var bob = factory.ClientFor(TestUser.New("bob"));
        var agencyA = await alice.CreateAccountAsync("agency");
        var agencyB = await bob.CreateAccountAsync("agency");
        var clientA = await alice.CreateAccountAsync("client");
        var clientB = await bob.CreateAccountAsync("client");

        await alice.PostJsonAsync($"/api/accounts/{agencyA}/connections", new { targetAccountId = agencyB }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-direction");
        await alice.PostJsonAsync($"/api/accounts/{clientA}/connections", new { targetAccountId = clientB }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-direction");
    }

    [Theory]
    [InlineData("regularUser")]
    [InlineData("viewOnly")]
    public async Task Only_orgAdmins_and_accountManagers_send_requests(string role)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (_, member) = await factory.NewMemberAsync(agencyId, role);
        var (_, manager) = await factory.NewMemberAsync(agencyId, "accountManager");

        await member.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Empty((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray());
        await manager.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Connecting_by_email_sends_a_pending_connection_invitation()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");

        var invitation = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetEmail = "someone@client.test" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("connection", (string?)invitation["kind"]);
        Assert.Equal("pending", (string?)invitation["state"]);
    }

    [Fact]
    public async Task A_missing_or_own_target_is_not_found()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");

        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = Seed.Nonexistent("acc") }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = agencyId }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Requested_permissions_narrow_what_agency_users_may_do()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        var agencyId2 = await alice.CreateAccountAsync("agency");
        var clientId2 = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId2}/connections", new { targetAccountId = clientId2, permissions = new[] { "reports.read", "reports.export", "items.readWrite" } }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await carol.PostJsonAsync($"/api/connections/{id}/accept", new { permissions = new[] { "reports.read", "reports.create" } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "connection-permissions-widened");
        var accepted = await carol.PostJsonAsync($"/api/connections/{id}/accept", new { permissions = new[] { "reports.read" } }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["reports.read"], accepted["permissions"]!.AsArray().Select(p => (string)p!));
        var actions = (await alice.GetJsonAsync($"/api/accounts/{clientId2}/permissions"))["actions"]!.AsArray().Select(a => (string)a!);
        Assert.Equal(["reports.read"], actions);
        await alice.GetAsync($"/api/accounts/{clientId2}/reports").ExpectAsync(HttpStatusCode.OK);
        await alice.GetAsync($"/api/accounts/{clientId2}/items").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(8, (await alice.GetJsonAsync($"/api/accounts/{clientId}/permissions"))["actions"]!.AsArray().Count);
    }

    [Fact]
    public async Task Permissions_that_a_connection_cannot_give_are_refused()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        var problem = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId, permissions = new[] { "connections.accept" } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");

        Assert.NotNull(problem["errors"]!["permissions"]);
        Assert.Empty((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_selected_agency_user_left_out_loses_access_on_the_next_request()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");
        await bob.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);

        var changed = await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = new[] { aliceUser.Id } }).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal([aliceUser.Id], changed["agencyUsers"]!["userIds"]!.AsArray().Select(u => (string)u!));
        await bob.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);

        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { all = true }).ExpectAsync(HttpStatusCode.OK);
        await bob.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Agency_users_are_chosen_by_the_agency_among_its_members()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carolUser = TestUser.New("carol");
        var carol = factory.ClientFor(carolUser);
        var (_, _, connectionId) = await TestApi.ConnectAsync(alice, carol);

        await carol.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { all = true }).ExpectProblemAsync(HttpStatusCode.Forbidden, "agency-users-by-client");
        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = new[] { carolUser.Id } }).ExpectProblemAsync(HttpStatusCode.BadRequest, "agency-users-invalid");

        Assert.True((bool?)(await alice.GetJsonAsync($"/api/connections/{connectionId}"))["agencyUsers"]!["all"]);
    }

    [Fact]
    public async Task An_agency_accountManager_reaches_only_the_clients_they_manage()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (managerUser, manager) = await factory.NewMemberAsync(agencyId, "accountManager");

        await manager.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        var changed = await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { all = true, accountManagers = new[] { managerUser.Id } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([managerUser.Id], changed["accountManagers"]!.AsArray().Select(u => (string)u!));
        await manager.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "managed" }).ExpectAsync(HttpStatusCode.Created);

        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { userIds = new[] { managerUser.Id }, accountManagers = new[] { managerUser.Id } }).ExpectAsync(HttpStatusCode.OK);
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await manager.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Listing_filters_by_state_and_direction_and_pages()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var agency = factory.ClientFor(TestUser.New("agency" + i));
            var agencyId = await agency.CreateAccountAsync("agency");
            ids.Add((string)(await agency.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!);
        }

        var dave = factory.ClientFor(TestUser.New("dave"));
        var daveAgency = await dave.CreateAccountAsync("agency");
        var offered = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/connections", new { targetAccountId = daveAgency }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        await carol.PostAsync($"/api/connections/{ids[0]}/accept", null).ExpectAsync(HttpStatusCode.OK);

        var url = $"/api/accounts/{clientId}/connections";
        Assert.Equal(4, (await carol.GetJsonAsync(url))["items"]!.AsArray().Count);
        Assert.Equal([ids[0]], (await carol.GetJsonAsync(url + "?state=active")).Ids());
        Assert.Equal(new[] { ids[1], ids[2], offered }.Order(), (await carol.GetJsonAsync(url + "?state=pending")).Ids().Order());
        Assert.Equal(ids.Order(), (await carol.GetJsonAsync(url + "?direction=incoming")).Ids().Order());
        Assert.Equal([offered], (await carol.GetJsonAsync(url + "?direction=outgoing")).Ids());
        Assert.Equal(new[] { ids[1], ids[2] }.Order(), (await carol.GetJsonAsync(url + "?direction=incoming&state=pending")).Ids().Order());

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await carol.GetJsonAsync(url + "?pageSize=3" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.True(page["items"]!.AsArray().Count <= 3);
            seen.AddRange(page.Ids());
            token = (string?)page["continuationToken"];
            pages++;
        }
        while (token is not null);

        Assert.Equal(2, pages);
        Assert.Equal(ids.Append(offered).Order(), seen.Order());
    }

    [Fact]
    public async Task A_filtered_list_fills_every_page_but_the_last_however_sparse_the_matches()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");
        var pending = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            var agency = factory.ClientFor(TestUser.New("agency" + i));
            var agencyId = await agency.CreateAccountAsync("agency");
            var id = (string)(await agency.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;
            if (i % 3 == 0)
            {
                pending.Add(id);
            }
            else
            {
                await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectAsync(HttpStatusCode.OK);
            }
        }

        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var page = await carol.GetJsonAsync($"/api/accounts/{clientId}/connections?state=pending&pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            pages.Add([.. page.Ids()]);
            token = (string?)page["continuationToken"];
        }
        while (token is not null && pages.Count < 10);

        Assert.Equal([2, 1], pages.Select(p => p.Count));
        Assert.Equal(pending.Order(), pages.SelectMany(p => p).Order());
    }

    [Fact]
    public async Task A_connection_list_refuses_a_token_it_did_not_issue()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");

        await carol.GetAsync($"/api/accounts/{clientId}/connections?continuationToken=acc-not-a-connection").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task A_connection_is_not_visible_to_others()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, _, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (_, agencyViewer) = await factory.NewMemberAsync(agencyId, "viewOnly");
        var stranger = factory.ClientFor(TestUser.New("mallory"));

        await stranger.GetAsync($"/api/connections/{connectionId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await agencyViewer.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        await agencyViewer.PutJsonAsync($"/api/connections/{connectionId}/agency-users", new { all = true }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
