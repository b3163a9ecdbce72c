using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

/// <summary>Another tenant's resources answer exactly as if they did not exist.</summary>
public sealed class CrossTenantTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private sealed record Call(HttpMethod Method, string Url, object? Body = null);

    [Fact]
    public async Task A_stranger_gets_404_on_every_route_of_another_tenant_and_nothing_changes()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carolUser = TestUser.New("carol");
        var carol = factory.ClientFor(carolUser);
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var report = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "R" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var item = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "I" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var integration = (string)(await carol.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "N" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var mallory = factory.ClientFor(TestUser.New("mallory"));
        var malloryClient = await mallory.CreateAccountAsync("client");
        await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = malloryClient }).ExpectAsync(HttpStatusCode.Created);

        Call[] calls =
        [
            new(HttpMethod.Get, $"/api/accounts/{clientId}"),
            new(HttpMethod.Patch, $"/api/accounts/{clientId}", new { name = "pwned" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/permissions"),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/members"),
            new(HttpMethod.Patch, $"/api/accounts/{clientId}/members/{carolUser.Id}", new { role = "viewOnly" }),
            new(HttpMethod.Delete, $"/api/accounts/{clientId}/members/{carolUser.Id}"),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/connections"),
            new(HttpMethod.Post, $"/api/accounts/{agencyId}/connections", new { targetAccountId = malloryClient }),
            new(HttpMethod.Get, $"/api/connections/{connectionId}"),
            new(HttpMethod.Post, $"/api/connections/{connectionId}/accept"),
            new(HttpMethod.Post, $"/api/connections/{connectionId}/decline"),
            new(HttpMethod.Post, $"/api/connections/{connectionId}/cancel"),
            new(HttpMethod.Put, $"/api/connections/{connectionId}/agency-users", new { all = true }),
            new(HttpMethod.Get, $"/api/connections/{connectionId}/disconnect-preview"),
            new(HttpMethod.Post, $"/api/connections/{connectionId}/disconnect"),
            new(HttpMethod.Post, $"/api/accounts/{agencyId}/clients", new { name = "X", email = "x@x.test" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/reports"),
            new(HttpMethod.Post, $"/api/accounts/{clientId}/reports", new { name = "x" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/reports/{report}"),
            new(HttpMethod.Patch, $"/api/accounts/{clientId}/reports/{report}", new { name = "x" }),
            new(HttpMethod.Delete, $"/api/accounts/{clientId}/reports/{report}"),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/reports/{report}/export"),
            new(HttpMethod.Put, $"/api/accounts/{clientId}/reports/{report}/sharing", new { sharedWithClient = true }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/items"),
            new(HttpMethod.Post, $"/api/accounts/{clientId}/items", new { name = "x" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/items/{item}"),
            new(HttpMethod.Patch, $"/api/accounts/{clientId}/items/{item}", new { name = "x" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/integrations"),
            new(HttpMethod.Post, $"/api/accounts/{clientId}/integrations", new { name = "x" }),
            new(HttpMethod.Get, $"/api/accounts/{clientId}/integrations/{integration}"),
        ];

        foreach (var call in calls)
        {
            var response = await mallory.SendJsonAsync(call.Method, call.Url, call.Body);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{call.Method} {call.Url}: {(int)response.StatusCode} {body}");
            Assert.Contains("problems/not-found", body, StringComparison.Ordinal);
        }

        Assert.Equal("active", (string?)(await carol.GetJsonAsync($"/api/connections/{connectionId}"))["state"]);
        Assert.NotEqual("pwned", (string?)(await carol.GetJsonAsync($"/api/accounts/{clientId}"))["name"]);
        Assert.Single((await carol.GetJsonAsync($"/api/accounts/{clientId}/members"))["items"]!.AsArray());
        Assert.Equal([report], (await carol.GetJsonAsync($"/api/accounts/{clientId}/reports")).Ids());
        Assert.Equal([item], (await carol.GetJsonAsync($"/api/accounts/{clientId}/items")).Ids());
        Assert.Single((await alice.GetJsonAsync($"/api/accounts/{clientId}/integrations"))["items"]!.AsArray());
        Assert.Single((await mallory.GetJsonAsync($"/api/accounts/{malloryClient}/connections"))["items"]!.AsArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/permissions")]
    [InlineData("/members")]
    [InlineData("/reports")]
    [InlineData("/items")]
    [InlineData("/integrations")]
    [InlineData("/connections")]
    public async Task A_strangers_404_for_a_foreign_account_is_identical_to_one_for_a_missing_account(string suffix)
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var foreign = await carol.CreateAccountAsync("client");
        var mallory = factory.ClientFor(TestUser.New("mallory"));

        var existing = await mallory.GetAsync($"/api/accounts/{foreign}{suffix}");
        var missing = await mallory.GetAsync($"/api/accounts/{Seed.Nonexistent("acc")}{suffix}");

        Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
        Assert.Equal(missing.StatusCode, existing.StatusCode);
        Assert.Equal(missing.Content.Headers.ContentType?.ToString(), existing.Content.Headers.ContentType?.ToString());
        Assert.Equal(Seed.WithoutTraceId(await missing.Content.ReadAsStringAsync()), Seed.WithoutTraceId(await existing.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_strangers_404_for_a_foreign_connection_is_identical_to_one_for_a_missing_connection()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var mallory = factory.ClientFor(TestUser.New("mallory"));

        foreach (var suffix in new[] { "", "/accept" })
        {
            var method = suffix.Length == 0 ? HttpMethod.Get : HttpMethod.Post;
            var existing = await mallory.SendJsonAsync(method, $"/api/connections/{connectionId}{suffix}");
            var missing = await mallory.SendJsonAsync(method, $"/api/connections/{Seed.Nonexistent("con")}.{clientId}{suffix}");
            Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
            Assert.Equal(Seed.WithoutTraceId(await missing.Content.ReadAsStringAsync()), Seed.WithoutTraceId(await existing.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task A_strangers_404_for_a_foreign_report_is_identical_to_one_for_a_missing_report()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var foreign = await carol.CreateAccountAsync("client");
        var report = (string)(await carol.PostJsonAsync($"/api/accounts/{foreign}/reports", new { name = "R" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var mallory = factory.ClientFor(TestUser.New("mallory"));

        var existing = await mallory.GetAsync($"/api/accounts/{foreign}/reports/{report}");
        var missing = await mallory.GetAsync($"/api/accounts/{Seed.Nonexistent("acc")}/reports/{Seed.Nonexistent("rep")}");

        Assert.Equal(HttpStatusCode.NotFound, existing.StatusCode);
        Assert.Equal(Seed.WithoutTraceId(await missing.Content.ReadAsStringAsync()), Seed.WithoutTraceId(await existing.Content.ReadAsStringAsync()));
    }
}
