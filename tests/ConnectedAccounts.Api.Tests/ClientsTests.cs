using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class ClientsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_agency_creates_a_client_that_is_connected_at_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");

        var response = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes Ltd", email = "owner@bikes.test" });
        var created = await Task.FromResult(response).ExpectAsync(HttpStatusCode.Created);

        var clientId = (string)created["account"]!["id"]!;
        Assert.Equal($"/api/accounts/{clientId}", response.Headers.Location?.ToString());
        Assert.Equal("client", (string?)created["account"]!["kind"]);
        Assert.Equal(agencyId, (string?)created["account"]!["createdByAccountId"]);
        Assert.NotEqual((string?)(await alice.GetJsonAsync($"/api/accounts/{agencyId}"))["organisationId"], (string?)created["account"]!["organisationId"]);
        Assert.Equal("active", (string?)created["connection"]!["state"]);
        Assert.Equal(clientId, (string?)created["connection"]!["clientAccountId"]);

        await alice.GetAsync($"/api/accounts/{clientId}").ExpectAsync(HttpStatusCode.OK);
        await bob.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "by bob" }).ExpectAsync(HttpStatusCode.Created);
        var connection = await alice.GetJsonAsync($"/api/connections/{created["connection"]!["id"]}");
        Assert.Equal("active", (string?)connection["state"]);
    }

    [Fact]
    public async Task The_clients_own_users_see_only_the_reports_shared_with_them()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = "owner@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        var (_, owner) = await factory.NewMemberAsync(clientId, "orgAdmin");
        var shared = (string)(await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Shared" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var internalId = (string)(await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Internal" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        Assert.Empty((await owner.GetJsonAsync($"/api/accounts/{clientId}/reports"))["items"]!.AsArray());
        var sharing = await alice.PutJsonAsync($"/api/accounts/{clientId}/reports/{shared}/sharing", new { sharedWithClient = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool?)sharing["sharedWithClient"]);

        Assert.Equal([shared], (await owner.GetJsonAsync($"/api/accounts/{clientId}/reports")).Ids());
        await owner.GetAsync($"/api/accounts/{clientId}/reports/{shared}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/accounts/{clientId}/reports/{shared}/export")).StatusCode);
        await owner.GetAsync($"/api/accounts/{clientId}/reports/{internalId}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await owner.GetAsync($"/api/accounts/{clientId}/reports/{internalId}/export").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await owner.PutJsonAsync($"/api/accounts/{clientId}/reports/{internalId}/sharing", new { sharedWithClient = true }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(2, (await alice.GetJsonAsync($"/api/accounts/{clientId}/reports"))["items"]!.AsArray().Count);

        await alice.PutJsonAsync($"/api/accounts/{clientId}/reports/{shared}/sharing", new { sharedWithClient = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty((await owner.GetJsonAsync($"/api/accounts/{clientId}/reports"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Selected_agency_users_must_be_agency_members()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var (bobUser, bob) = await factory.NewMemberAsync(agencyId, "regularUser");
        var (_, eve) = await factory.NewMemberAsync(agencyId, "regularUser");

        await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "X", email = "x@x.test", agencyUsers = new { userIds = new[] { "usr-stranger" } } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "agency-users-invalid");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Y", email = "y@y.test", agencyUsers = new { userIds = new[] { bobUser.Id } } }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;

        await bob.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        await eve.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Only_agency_orgAdmins_and_accountManagers_create_clients()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");

        await bob.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "X", email = "x@x.test" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_client_account_cannot_create_clients()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");

        await carol.PostJsonAsync($"/api/accounts/{clientId}/clients", new { name = "X", email = "x@x.test" }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-direction");
    }
}
