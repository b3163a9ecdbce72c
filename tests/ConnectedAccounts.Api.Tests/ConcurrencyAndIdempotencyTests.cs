using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class ConcurrencyAndIdempotencyTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_stale_if_match_on_an_account_is_412_and_changes_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency", "First");
        var stale = await alice.ETagOfAsync($"/api/accounts/{id}");
        await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Second" }, stale).ExpectAsync(HttpStatusCode.OK);

        await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Third" }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        Assert.Equal("Second", (string?)(await alice.GetJsonAsync($"/api/accounts/{id}"))["name"]);
        await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Fourth" }, "*").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stale_if_match_on_a_report_is_412_and_changes_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var url = $"/api/accounts/{id}/reports/{(await alice.PostJsonAsync($"/api/accounts/{id}/reports", new { name = "v1" }).ExpectAsync(HttpStatusCode.Created))["id"]}";
        var stale = await alice.ETagOfAsync(url);
        await alice.PatchJsonAsync(url, new { name = "v2" }, stale).ExpectAsync(HttpStatusCode.OK);

        await alice.PatchJsonAsync(url, new { name = "v3" }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        await alice.SendJsonAsync(HttpMethod.Delete, url, ifMatch: stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        Assert.Equal("v2", (string?)(await alice.GetJsonAsync(url))["name"]);
    }

    [Fact]
    public async Task A_stale_if_match_on_an_item_is_412_and_changes_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var url = $"/api/accounts/{id}/items/{(await alice.PostJsonAsync($"/api/accounts/{id}/items", new { name = "v1" }).ExpectAsync(HttpStatusCode.Created))["id"]}";
        var stale = await alice.ETagOfAsync(url);
        await alice.PatchJsonAsync(url, new { name = "v2" }, stale).ExpectAsync(HttpStatusCode.OK);

        await alice.PatchJsonAsync(url, new { name = "v3" }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        Assert.Equal("v2", (string?)(await alice.GetJsonAsync(url))["name"]);
    }

    [Fact]
    public async Task A_stale_if_match_on_a_member_change_is_412_and_changes_nothing()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("agency");
        var (bobUser, _) = await factory.NewMemberAsync(id, "regularUser");
        var stale = await alice.ETagOfAsync($"/api/accounts/{id}/members");
        await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "renamed" }).ExpectAsync(HttpStatusCode.OK);

        await alice.PatchJsonAsync($"/api/accounts/{id}/members/{bobUser.Id}", new { role = "viewOnly" }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        await alice.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{id}/members/{bobUser.Id}", ifMatch: stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        var fresh = await alice.ETagOfAsync($"/api/accounts/{id}/members");
        var roles = (await alice.GetJsonAsync($"/api/accounts/{id}/members"))["items"]!.AsArray().ToDictionary(m => (string)m!["userId"]!, m => (string)m!["role"]!);
        Assert.Equal("regularUser", roles[bobUser.Id]);
        await alice.PatchJsonAsync($"/api/accounts/{id}/members/{bobUser.Id}", new { role = "viewOnly" }, fresh).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stale_if_match_on_accept_is_412_and_the_connection_stays_pending()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var stale = await carol.ETagOfAsync($"/api/connections/{id}");
        await alice.PutJsonAsync($"/api/connections/{id}/agency-users", new { all = true }).ExpectAsync(HttpStatusCode.OK);

        await carol.SendJsonAsync(HttpMethod.Post, $"/api/connections/{id}/accept", ifMatch: stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        Assert.Equal("pending", (string?)(await carol.GetJsonAsync($"/api/connections/{id}"))["state"]);
        var fresh = await carol.ETagOfAsync($"/api/connections/{id}");
        await carol.SendJsonAsync(HttpMethod.Post, $"/api/connections/{id}/accept", ifMatch: fresh).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_accepts_of_one_connection_succeed_exactly_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var id = (string)(await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var etag = await carol.ETagOfAsync($"/api/connections/{id}");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            carol.SendJsonAsync(HttpMethod.Post, $"/api/connections/{id}/accept", ifMatch: i % 2 == 0 ? etag : null)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Single(statuses, HttpStatusCode.OK);
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Contains(s, new[] { HttpStatusCode.Conflict, HttpStatusCode.PreconditionFailed }));
        foreach (var failed in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("active", (string?)(await carol.GetJsonAsync($"/api/connections/{id}"))["state"]);
        Assert.Single((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections?state=active"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_requests_for_one_pair_open_exactly_one_connection()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Single((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray());
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_response_and_creates_one_report()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var key = Guid.NewGuid().ToString("N");

        var first = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Once" }, idempotencyKey: key);
        var second = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Once" }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(first.StatusCode, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }

    [Fact]
    public async Task An_idempotency_key_replays_a_connection_request_and_an_accept()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var key = Guid.NewGuid().ToString("N");

        var first = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }, idempotencyKey: key);
        var replay = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        var id = (string)(await first.ReadJsonAsync())["id"]!;

        var acceptKey = Guid.NewGuid().ToString("N");
        var accepted = await carol.SendJsonAsync(HttpMethod.Post, $"/api/connections/{id}/accept", idempotencyKey: acceptKey);
        var acceptedAgain = await carol.SendJsonAsync(HttpMethod.Post, $"/api/connections/{id}/accept", idempotencyKey: acceptKey);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, acceptedAgain.StatusCode);
        Assert.Equal(await accepted.Content.ReadAsStringAsync(), await acceptedAgain.Content.ReadAsStringAsync());
        Assert.Single((await carol.GetJsonAsync($"/api/accounts/{clientId}/connections"))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_same_idempotency_key_on_another_route_is_422()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var key = Guid.NewGuid().ToString("N");
        await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "R" }, idempotencyKey: key).ExpectAsync(HttpStatusCode.Created);

        await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/items", new { name = "I" }, idempotencyKey: key).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/items"))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_422()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var key = Guid.NewGuid().ToString("N");
        await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "First" }, idempotencyKey: key).ExpectAsync(HttpStatusCode.Created);

        await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Second" }, idempotencyKey: key).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");

        var reports = (await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray();
        Assert.Equal("First", (string?)Assert.Single(reports)!["name"]);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_run_once()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");
        var key = Guid.NewGuid().ToString("N");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Once" }, idempotencyKey: key)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_their_user()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var bob = factory.ClientFor(TestUser.New("bob"));
        var key = Guid.NewGuid().ToString("N");

        var a = await alice.SendJsonAsync(HttpMethod.Post, "/api/accounts", new { name = "A", kind = "agency" }, idempotencyKey: key).ExpectAsync(HttpStatusCode.Created);
        var b = await bob.SendJsonAsync(HttpMethod.Post, "/api/accounts", new { name = "B", kind = "agency" }, idempotencyKey: key).ExpectAsync(HttpStatusCode.Created);

        Assert.NotEqual((string?)a["id"], (string?)b["id"]);
        await bob.GetAsync($"/api/accounts/{a["id"]}").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("has#hash")]
    public async Task An_invalid_idempotency_key_is_refused(string key)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var id = await alice.CreateAccountAsync("client");

        await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "R" }, idempotencyKey: key).ExpectProblemAsync(HttpStatusCode.BadRequest, "idempotency-key-invalid");

        Assert.Empty((await alice.GetJsonAsync($"/api/accounts/{id}/reports"))["items"]!.AsArray());
    }
}
