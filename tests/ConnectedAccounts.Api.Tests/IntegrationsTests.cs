using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class IntegrationsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_agency_maps_an_integration_to_its_connected_clients()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        var response = await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Ads feed", mappedClientAccountIds = new[] { clientId, agencyId } });
        var created = await Task.FromResult(response).ExpectAsync(HttpStatusCode.Created);

        var id = (string)created["id"]!;
        Assert.Equal($"/api/accounts/{agencyId}/integrations/{id}", response.Headers.Location?.ToString());
        Assert.Equal("active", (string?)created["state"]);
        Assert.Empty(created["pausedFor"]!.AsArray());
        Assert.Equal(new[] { clientId, agencyId }.Order(), created["mappedClientAccountIds"]!.AsArray().Select(c => (string)c!).Order());
        Assert.Equal(created.ToJsonString(), (await alice.GetJsonAsync($"/api/accounts/{agencyId}/integrations/{id}")).ToJsonString());
        Assert.Equal([id], (await alice.GetJsonAsync($"/api/accounts/{agencyId}/integrations")).Ids());
    }

    [Fact]
    public async Task Mapping_a_client_that_is_not_connected_is_refused()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);

        await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Feed", mappedClientAccountIds = new[] { clientId } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "integration-mapping-invalid");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Feed", mappedClientAccountIds = new[] { Seed.Nonexistent("acc") } })
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "integration-mapping-invalid");

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{agencyId}/integrations"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_regularUser_cannot_create_integrations_but_reads_them()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");
        var existing = await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Feed" }).ExpectAsync(HttpStatusCode.Created);

        await bob.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Mine" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await bob.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "Mine", mappedClientAccountIds = new[] { clientId } }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await bob.GetAsync($"/api/accounts/{agencyId}/integrations/{existing["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Single((await alice.GetJsonAsync($"/api/accounts/{agencyId}/integrations"))["items"]!.AsArray());
        Assert.Empty((await carol.GetJsonAsync($"/api/accounts/{clientId}/integrations"))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_client_account_sets_up_its_own_integration()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var clientId = await carol.CreateAccountAsync("client");

        var created = await carol.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "CRM", mappedClientAccountIds = new[] { clientId } }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal([clientId], created["mappedClientAccountIds"]!.AsArray().Select(c => (string)c!));
        await carol.GetAsync($"/api/accounts/{clientId}/integrations/{Seed.Nonexistent("int")}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
