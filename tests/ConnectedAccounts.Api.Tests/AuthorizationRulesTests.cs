using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

/// <summary>
/// The rules of who may act on a connection, each tried through real HTTP the way an attacker inside the agency
/// would: an account manager who does not manage the client, a member the connection does not select.
/// </summary>
public sealed class AuthorizationRulesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// An agency (orgAdmin Alice), a client (orgAdmin Carol) and an active connection that selects Alice, Martin (an
    /// account manager who manages the client) and Rita (a regular user); Mallory is an account manager of the agency
    /// the connection neither selects nor lets manage the client, Una a regular user it does not select.
    /// </summary>
    private sealed record Agency(
        string AgencyId, string ClientId, string ConnectionId,
        HttpClient Alice, HttpClient Carol, HttpClient Martin, HttpClient Mallory, HttpClient Rita, HttpClient Una,
        TestUser MartinUser, TestUser MalloryUser, TestUser RitaUser, TestUser AliceUser);

    private async Task<Agency> AgencyWithClientAsync(string[]? permissions = null)
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (martinUser, martin) = await factory.NewMemberAsync(agencyId, "accountManager");
        var (malloryUser, mallory) = await factory.NewMemberAsync(agencyId, "accountManager");
        var (ritaUser, rita) = await factory.NewMemberAsync(agencyId, "regularUser");
        var (_, una) = await factory.NewMemberAsync(agencyId, "regularUser");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new
        {
            targetAccountId = clientId,
            agencyUsers = new { userIds = new[] { aliceUser.Id, martinUser.Id, ritaUser.Id } },
            permissions = permissions ?? ["reports.read", "reports.export", "reports.create", "items.readWrite", "integrations.createAndMap"],
        }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)requested["id"]!;
        await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        await alice.PutJsonAsync($"/api/connections/{connectionId}/agency-users",
            new { userIds = new[] { aliceUser.Id, martinUser.Id, ritaUser.Id }, accountManagers = new[] { martinUser.Id } }).ExpectAsync(HttpStatusCode.OK);
        return new Agency(agencyId, clientId, connectionId, alice, carol, martin, mallory, rita, una, martinUser, malloryUser, ritaUser, aliceUser);
    }

    private static async Task<JsonObject> ConnectionAsSeenBy(HttpClient client, string connectionId) =>
        await client.GetJsonAsync($"/api/connections/{connectionId}");

    [Fact]
    public async Task An_account_manager_who_does_not_manage_the_client_cannot_assign_themselves_nor_widen_the_connection()
    {
        var a = await AgencyWithClientAsync();
        var before = await ConnectionAsSeenBy(a.Alice, a.ConnectionId);

        await a.Mallory.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users",
            new { all = true, accountManagers = new[] { a.MalloryUser.Id, a.MartinUser.Id } }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        Assert.Equal(before.ToJsonString(), (await ConnectionAsSeenBy(a.Alice, a.ConnectionId)).ToJsonString());
        await a.Mallory.GetAsync($"/api/accounts/{a.ClientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task An_account_manager_who_does_not_manage_the_client_cannot_disconnect_it_nor_preview_nor_read_it()
    {
        var a = await AgencyWithClientAsync();

        await a.Mallory.PostAsync($"/api/connections/{a.ConnectionId}/disconnect", null).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await a.Mallory.GetAsync($"/api/connections/{a.ConnectionId}/disconnect-preview").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await a.Mallory.GetAsync($"/api/connections/{a.ConnectionId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        Assert.Equal("active", (string?)(await ConnectionAsSeenBy(a.Alice, a.ConnectionId))["state"]);
    }

    [Fact]
    public async Task The_account_manager_of_the_client_may_narrow_its_agency_users_but_not_widen_them_nor_change_its_managers()
    {
        var a = await AgencyWithClientAsync();

        var widened = await a.Martin.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users", new { all = true })
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "agency-users-widened");
        Assert.Equal("An accountManager may only narrow who works on this client; adding agency users or changing who manages it is for the agency's orgAdmin.", (string?)widened["detail"]);
        await a.Martin.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users",
            new { userIds = new[] { a.AliceUser.Id, a.MartinUser.Id, a.RitaUser.Id, a.MalloryUser.Id } }).ExpectProblemAsync(HttpStatusCode.Forbidden, "agency-users-widened");
        await a.Martin.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users",
            new { userIds = new[] { a.MartinUser.Id }, accountManagers = new[] { a.MartinUser.Id, a.MalloryUser.Id } }).ExpectProblemAsync(HttpStatusCode.Forbidden, "agency-users-widened");
        Assert.Equal(3, (await ConnectionAsSeenBy(a.Alice, a.ConnectionId))["agencyUsers"]!["userIds"]!.AsArray().Count);

        var narrowed = await a.Martin.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users", new { userIds = new[] { a.MartinUser.Id, a.AliceUser.Id } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(new[] { a.AliceUser.Id, a.MartinUser.Id }.Order(StringComparer.Ordinal), narrowed["agencyUsers"]!["userIds"]!.AsArray().Select(u => (string)u!));
        await a.Rita.GetAsync($"/api/accounts/{a.ClientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Only_the_agency_orgAdmin_widens_agency_users_and_changes_who_manages_the_client()
    {
        var a = await AgencyWithClientAsync();

        var changed = await a.Alice.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users",
            new { all = true, accountManagers = new[] { a.MalloryUser.Id } }).ExpectAsync(HttpStatusCode.OK);

        Assert.True((bool?)changed["agencyUsers"]!["all"]);
        await a.Mallory.GetAsync($"/api/accounts/{a.ClientId}/reports").ExpectAsync(HttpStatusCode.OK);
        await a.Martin.GetAsync($"/api/connections/{a.ConnectionId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task The_account_manager_of_the_client_may_disconnect_it()
    {
        var a = await AgencyWithClientAsync();

        await a.Martin.GetAsync($"/api/connections/{a.ConnectionId}/disconnect-preview").ExpectAsync(HttpStatusCode.OK);
        await a.Martin.PostAsync($"/api/connections/{a.ConnectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task An_agency_member_the_connection_does_not_select_sees_neither_the_connection_nor_its_client()
    {
        var a = await AgencyWithClientAsync();

        await a.Una.GetAsync($"/api/connections/{a.ConnectionId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await a.Una.GetAsync($"/api/accounts/{a.ClientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Contains(a.ConnectionId, (await a.Rita.GetJsonAsync($"/api/accounts/{a.AgencyId}/connections")).Ids());
        Assert.DoesNotContain(a.ConnectionId, (await a.Una.GetJsonAsync($"/api/accounts/{a.AgencyId}/connections")).Ids());
        Assert.DoesNotContain(a.ConnectionId, (await a.Mallory.GetJsonAsync($"/api/accounts/{a.AgencyId}/connections")).Ids());
    }

    [Fact]
    public async Task A_selected_regular_user_reads_the_connection_but_may_not_change_or_end_it()
    {
        var a = await AgencyWithClientAsync();

        await a.Rita.GetAsync($"/api/connections/{a.ConnectionId}").ExpectAsync(HttpStatusCode.OK);
        var refused = await a.Rita.PostAsync($"/api/connections/{a.ConnectionId}/disconnect", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("Your role on the agency account (regularUser) does not allow 'connections.disconnect'.", (string?)refused["detail"]);
        await a.Rita.PutJsonAsync($"/api/connections/{a.ConnectionId}/agency-users", new { userIds = new[] { a.RitaUser.Id } }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Reading_a_clients_integrations_through_a_connection_needs_the_connection_to_grant_integrations()
    {
        var withoutIntegrations = await AgencyWithClientAsync(["reports.read"]);
        await withoutIntegrations.Alice.GetAsync($"/api/accounts/{withoutIntegrations.ClientId}/integrations")
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await withoutIntegrations.Carol.GetAsync($"/api/accounts/{withoutIntegrations.ClientId}/integrations").ExpectAsync(HttpStatusCode.OK);

        var withIntegrations = await AgencyWithClientAsync(["reports.read", "integrations.createAndMap"]);
        await withIntegrations.Alice.GetAsync($"/api/accounts/{withIntegrations.ClientId}/integrations").ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("agency")]
    [InlineData("client")]
    public async Task An_account_with_a_pending_connection_cannot_change_its_direction(string side)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        var (caller, accountId, other) = side == "agency" ? (alice, agencyId, "canGrantAccess") : (carol, clientId, "canRequestAccess");

        var problem = await caller.PatchJsonAsync($"/api/accounts/{accountId}", new { connectionDirection = other })
            .ExpectProblemAsync(HttpStatusCode.Conflict, "account-has-connections");

        Assert.Equal("The direction cannot change while the account has pending or active connections.", (string?)problem["detail"]);
    }

    [Theory]
    [InlineData("GET", "members")]
    [InlineData("GET", "connections")]
    [InlineData("GET", "invitations")]
    [InlineData("POST", "clients")]
    [InlineData("POST", "members")]
    public async Task An_agency_user_on_a_connected_client_is_told_the_route_is_the_clients_own(string method, string route)
    {
        var a = await AgencyWithClientAsync();
        var body = route == "clients" ? (object)new { name = "Sub-client", email = "sub@client.test" } : new { email = "x@client.test", role = "viewOnly" };

        var problem = await a.Alice.SendJsonAsync(new HttpMethod(method), $"/api/accounts/{a.ClientId}/{route}", method == "POST" ? body : null)
            .ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");

        Assert.Equal(
            "You reach this account through a connection: you may work on it within the connection's permissions, but its members, connections, client accounts and invitations are managed by its own members.",
            (string?)problem["detail"]);
    }

    [Fact]
    public async Task The_account_manager_who_requests_a_connection_manages_that_client()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (martinUser, martin) = await factory.NewMemberAsync(agencyId, "accountManager");

        var requested = await martin.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)requested["id"]!;
        Assert.Equal([martinUser.Id], requested["accountManagers"]!.AsArray().Select(u => (string)u!));
        await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);

        await martin.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Accepting_needs_connections_accept_which_only_an_orgAdmin_holds()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var (_, clientManager) = await factory.NewMemberAsync(clientId, "accountManager");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);

        var problem = await clientManager.PostAsync($"/api/connections/{(string)requested["id"]!}/accept", null).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal("Your role on the client account (accountManager) does not allow 'connections.accept'.", (string?)problem["detail"]);
        await carol.PostAsync($"/api/connections/{(string)requested["id"]!}/accept", null).ExpectAsync(HttpStatusCode.OK);
    }
}
