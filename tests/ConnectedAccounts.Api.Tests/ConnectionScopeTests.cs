using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

/// <summary>A connection's scope after acceptance, and a client's team managed through its connection.</summary>
public sealed class ConnectionScopeTests(ManualQueuesApiFactory factory) : IClassFixture<ManualQueuesApiFactory>
{
    [Fact]
    public async Task The_client_narrows_a_connection_and_the_next_request_of_every_agency_user_is_decided_on_it()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (_, rita) = await factory.NewMemberAsync(agencyId, "regularUser");
        var report = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        // Readers keep exporting while the scope changes; once the PUT has answered, no export may succeed.
        using var stop = new CancellationTokenSource();
        var changedAt = 0L;
        var lateExports = 0;
        async Task ReadAsync(HttpClient reader)
        {
            while (!stop.IsCancellationRequested)
            {
                var sent = Environment.TickCount64;
                using var response = await reader.GetAsync($"/api/accounts/{clientId}/reports/{report}/export");
                if (response.StatusCode == HttpStatusCode.OK && Interlocked.Read(ref changedAt) is > 0 and var at && sent > at)
                {
                    Interlocked.Increment(ref lateExports);
                }
            }
        }

        var readers = new[] { alice, rita, alice, rita }.Select(r => Task.Run(() => ReadAsync(r))).ToArray();
        var changed = await carol.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read" } }).ExpectAsync(HttpStatusCode.OK);
        Interlocked.Exchange(ref changedAt, Environment.TickCount64);
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(["reports.read"], changed["permissions"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(0, lateExports);
        await alice.GetAsync($"/api/accounts/{clientId}/reports/{report}/export").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await rita.GetAsync($"/api/accounts/{clientId}/reports/{report}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["reports.read"], (await alice.GetJsonAsync($"/api/accounts/{clientId}/permissions"))["actions"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_and_changes_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, _, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var etag = await carol.ETagOfAsync($"/api/connections/{connectionId}");
        await carol.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read", "reports.export" } }, etag).ExpectAsync(HttpStatusCode.OK);

        await carol.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read" } }, etag)
            .ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        Assert.Equal(["reports.export", "reports.read"], (await carol.GetJsonAsync($"/api/connections/{connectionId}"))["permissions"]!.AsArray().Select(p => (string)p!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_agency_gives_permissions_up_but_cannot_add_them_and_its_admins_hear_when_the_client_changes_them()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, _, connectionId) = await TestApi.ConnectAsync(alice, carol, null);

        await alice.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read", "reports.export" } }).ExpectAsync(HttpStatusCode.OK);
        var refused = await alice.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read", "reports.export", "items.readWrite" } })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-permissions-widened");
        Assert.Equal("The agency may give permissions up, never add them: only the client's orgAdmin widens what a connection grants.", (string?)refused["detail"]);
        await factory.DrainAsync();
        Assert.DoesNotContain(Mails(), m => m.Contains("changed what", StringComparison.Ordinal));

        await carol.PutJsonAsync($"/api/connections/{connectionId}/permissions", new { permissions = new[] { "reports.read", "items.readWrite" } }).ExpectAsync(HttpStatusCode.OK);
        await factory.DrainAsync();

        var mail = Assert.Single(Mails(), m => m.Contains(aliceUser.Email, StringComparison.Ordinal) && m.Contains("changed what", StringComparison.Ordinal));
        Assert.Contains("Subject: ", mail);
    }

    [Fact]
    public async Task An_agency_user_granted_the_team_invites_and_changes_members_below_orgAdmin_and_never_beyond_what_they_hold()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carolUser = TestUser.New("carol");
        var carol = factory.ClientFor(carolUser);
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections",
            new { targetAccountId = clientId, permissions = new[] { "members.manage", "reports.read", "reports.export" } }).ExpectAsync(HttpStatusCode.Created);
        await carol.PostAsync($"/api/connections/{requested["id"]}/accept", null).ExpectAsync(HttpStatusCode.OK);
        var (bobUser, _) = await factory.NewMemberAsync(clientId, "viewOnly");
        var (daveUser, _) = await factory.NewMemberAsync(clientId, "regularUser");

        await alice.GetAsync($"/api/accounts/{clientId}/members").ExpectAsync(HttpStatusCode.OK);
        await alice.PostJsonAsync($"/api/accounts/{clientId}/members", new { email = "viewer@client.test", role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted);
        await alice.DeleteAsync($"/api/accounts/{clientId}/members/{bobUser.Id}").ExpectAsync(HttpStatusCode.NoContent);

        // The connection gives reports only: a regular user's work is more than Alice holds here.
        await alice.PostJsonAsync($"/api/accounts/{clientId}/members", new { email = "worker@client.test", role = "regularUser" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.DeleteAsync($"/api/accounts/{clientId}/members/{daveUser.Id}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.PostJsonAsync($"/api/accounts/{clientId}/members", new { email = "boss@client.test", role = "orgAdmin" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.PatchJsonAsync($"/api/accounts/{clientId}/members/{carolUser.Id}", new { role = "viewOnly" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.DeleteAsync($"/api/accounts/{clientId}/members/{carolUser.Id}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.GetAsync($"/api/accounts/{clientId}/connections").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
    }

    [Fact]
    public async Task The_team_is_never_granted_by_default_nor_to_a_client_the_agency_creates()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);

        Assert.DoesNotContain("members.manage", (await alice.GetJsonAsync($"/api/connections/{connectionId}"))["permissions"]!.AsArray().Select(p => (string)p!));
        await alice.GetAsync($"/api/accounts/{clientId}/members").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        Assert.DoesNotContain("members.manage", created["connection"]!["permissions"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task The_disconnect_preview_lists_what_a_narrowed_scope_would_no_longer_reach_and_changes_nothing()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var (rita, _) = await factory.NewMemberAsync(agencyId, "regularUser");
        await factory.NewMemberAsync(agencyId, "viewOnly");
        var report = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var item = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "Keyword list" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var integration = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "Own feed", mappedClientAccountIds = Array.Empty<string>() }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var before = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);

        // Expected from docs/permissions.md: the default scope is all the work; the matrix rows of each role.
        var preview = await carol.GetAsync($"/api/connections/{connectionId}/disconnect-preview?permissions=reports.read,reports.export").ExpectAsync(HttpStatusCode.OK);
        var narrowing = preview["narrowing"]!;
        Assert.Equal(["reports.export", "reports.read"], Sorted(narrowing["permissions"]));
        Assert.Equal(["data.exportExternal", "integrations.createAndMap", "items.create", "items.readWrite", "reports.configure", "reports.create"], Sorted(narrowing["permissionsRemoved"]));
        var losses = narrowing["usersLosingActions"]!.AsArray().ToDictionary(u => (string)u!["userId"]!, u => Sorted(u!["actions"]));
        Assert.Equal(2, losses.Count); // viewOnly holds only reports.read and reports.export: it loses nothing.
        Assert.Equal(["data.exportExternal", "integrations.createAndMap", "items.create", "items.readWrite", "reports.configure", "reports.create"], losses[aliceUser.Id]);
        Assert.Equal(["data.exportExternal", "items.create", "items.readWrite", "reports.configure", "reports.create"], losses[rita.Id]);
        Assert.Empty(narrowing["reportsNoLongerReached"]!.AsArray());
        Assert.Equal([item], narrowing["itemsNoLongerReached"]!.AsArray().Select(i => (string)i!));
        Assert.Equal([integration], narrowing["integrationsNoLongerReached"]!.AsArray().Select(i => (string)i!["integrationId"]!));

        // The agency may preview giving everything up; nothing then reaches the report either.
        var nothing = (await alice.GetAsync($"/api/connections/{connectionId}/disconnect-preview?permissions=").ExpectAsync(HttpStatusCode.OK))["narrowing"]!;
        Assert.Empty(nothing["permissions"]!.AsArray());
        Assert.Equal([report], nothing["reportsNoLongerReached"]!.AsArray().Select(r => (string)r!));
        Assert.Null((await carol.GetAsync($"/api/connections/{connectionId}/disconnect-preview").ExpectAsync(HttpStatusCode.OK))["narrowing"]);

        // Asking to widen is refused for the agency, as the PUT would be; a bad action is a validation problem.
        await alice.GetAsync($"/api/connections/{connectionId}/disconnect-preview?permissions=members.manage").ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-permissions-widened");
        await carol.GetAsync($"/api/connections/{connectionId}/disconnect-preview?permissions=reports.read,nope").ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");

        var after = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        await alice.GetAsync($"/api/accounts/{clientId}/items/{item}").ExpectAsync(HttpStatusCode.OK);
    }

    private static List<string> Sorted(System.Text.Json.Nodes.JsonNode? names) => names!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();

    private List<string> Mails()
    {
        var folder = Path.Combine(factory.DataPath, "mail");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.eml").Select(File.ReadAllText).ToList() : [];
    }
}
