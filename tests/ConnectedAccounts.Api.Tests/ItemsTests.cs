using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class ItemsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Items_are_created_read_listed_and_changed()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var url = $"/api/accounts/{id}/items";

        var response = await alice.PostJsonAsync(url, new { name = "Keyword", data = "bikes" });
        var created = await Task.FromResult(response).ExpectAsync(HttpStatusCode.Created);
        var itemId = (string)created["id"]!;
        Assert.Equal($"{url}/{itemId}", response.Headers.Location?.ToString());
        Assert.NotNull(response.Headers.ETag);

        Assert.Equal(created.ToJsonString(), (await alice.GetJsonAsync($"{url}/{itemId}")).ToJsonString());
        var patched = await alice.PatchJsonAsync($"{url}/{itemId}", new { data = "e-bikes" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Keyword", (string?)patched["name"]);
        Assert.Equal("e-bikes", (string?)patched["data"]);
        Assert.Equal([itemId], (await alice.GetJsonAsync(url)).Ids());
    }

    [Fact]
    public async Task Agency_users_work_on_a_connected_clients_items_by_role()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        var (_, bob) = await factory.NewMemberAsync(agencyId, "regularUser");
        var (_, viewer) = await factory.NewMemberAsync(agencyId, "viewOnly");

        var item = await bob.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "from agency" }).ExpectAsync(HttpStatusCode.Created);
        await bob.PatchJsonAsync($"/api/accounts/{clientId}/items/{item["id"]}", new { name = "renamed" }).ExpectAsync(HttpStatusCode.OK);

        await viewer.GetAsync($"/api/accounts/{clientId}/items").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await viewer.GetAsync($"/api/accounts/{clientId}/items/{item["id"]}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await viewer.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await viewer.PatchJsonAsync($"/api/accounts/{clientId}/items/{item["id"]}", new { name = "nope" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var items = await carol.GetJsonAsync($"/api/accounts/{clientId}/items");
        Assert.Equal("renamed", (string?)items["items"]!.AsArray().Single()!["name"]);
    }

    [Fact]
    public async Task An_unknown_item_is_not_found()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.GetAsync($"/api/accounts/{id}/items/{Seed.Nonexistent("itm")}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await alice.PatchJsonAsync($"/api/accounts/{id}/items/{Seed.Nonexistent("itm")}", new { name = "x" }).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
