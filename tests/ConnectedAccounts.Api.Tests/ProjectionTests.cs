using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

/// <summary>
/// The account switcher and the agency's list of its connections are index rows fed through the outbox and the
/// projection queue's consumer running inside the app. These tests wait for the app itself to catch up; they do
/// not drain the queues by hand.
/// </summary>
public sealed class ProjectionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_switcher_lists_own_accounts_and_connected_clients()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);

        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync("/api/accounts")).Ids().Count() == 2, "alice's switcher shows the agency and the client");

        var entries = (await alice.GetJsonAsync("/api/accounts"))["items"]!.AsArray().ToDictionary(e => (string)e!["id"]!, e => e!);
        Assert.Equal("member", (string?)entries[agencyId]["access"]);
        Assert.Equal("orgAdmin", (string?)entries[agencyId]["role"]);
        Assert.Null(entries[agencyId]["viaAccountId"]);
        Assert.Equal("connected", (string?)entries[clientId]["access"]);
        Assert.Equal(agencyId, (string?)entries[clientId]["viaAccountId"]);
        Assert.Equal("client", (string?)entries[clientId]["kind"]);
        Assert.Equal("active", (string?)entries[clientId]["status"]);

        await TestApi.EventuallyAsync(async () => (await carol.GetJsonAsync("/api/accounts")).Ids().SequenceEqual([clientId]), "carol's switcher shows only her client account");
    }

    [Fact]
    public async Task A_removed_member_leaves_the_switcher()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, bob) = await factory.NewMemberAsync(id, "regularUser");
        await TestApi.EventuallyAsync(async () => (await bob.GetJsonAsync("/api/accounts")).Ids().Contains(id), "bob sees the agency");

        await alice.DeleteAsync($"/api/accounts/{id}/members/{bobUser.Id}").ExpectAsync(HttpStatusCode.NoContent);

        Assert.Empty((await bob.GetJsonAsync("/api/accounts"))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_agency_sees_its_outgoing_request_and_its_acceptance()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?direction=outgoing&state=pending")).Ids().SequenceEqual([id]), "the agency lists its pending request");

        await carol.PostAsync($"/api/connections/{id}/accept", null).ExpectAsync(HttpStatusCode.OK);

        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=active")).Ids().SequenceEqual([id]), "the agency lists the accepted connection");
        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=pending"))["items"]!.AsArray());
    }

    [Fact]
    public async Task An_agency_created_client_appears_in_the_agency_users_switcher()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = "owner@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;

        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync("/api/accounts")).Ids().Contains(clientId), "the created client is in the switcher");
        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=active")).Ids().Count() == 1, "the agency lists the connection");
    }

    [Fact]
    public async Task After_a_disconnect_the_switcher_and_the_agencys_list_drop_the_client()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        await TestApi.EventuallyAsync(async () => (await alice.GetJsonAsync("/api/accounts")).Ids().Contains(clientId), "the client is in the switcher");

        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);

        await TestApi.EventuallyAsync(async () => !(await alice.GetJsonAsync("/api/accounts")).Ids().Contains(clientId), "the switcher drops the client");
        await TestApi.EventuallyAsync(
            async () => (await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=disconnected")).Ids().SequenceEqual([connectionId]),
            "the agency's list shows the connection disconnected");
        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{agencyId}/connections?state=active"))["items"]!.AsArray());
    }
}
