using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests;

public sealed class HealthAndOpenApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Health_answers_200_without_a_token()
    {
        var health = await factory.CreateClient().GetAsync("/healthz").ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("ok", (string?)health["status"]);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_main_routes()
    {
        var document = await factory.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        string[] expected =
        [
            "/api/accounts",
            "/api/accounts/{accountId}",
            "/api/accounts/{accountId}/permissions",
            "/api/accounts/{accountId}/members",
            "/api/accounts/{accountId}/members/{userId}",
            "/api/accounts/{accountId}/connections",
            "/api/connections/{connectionId}",
            "/api/connections/{connectionId}/accept",
            "/api/connections/{connectionId}/decline",
            "/api/connections/{connectionId}/cancel",
            "/api/connections/{connectionId}/agency-users",
            "/api/accounts/{agencyAccountId}/clients",
            "/api/accounts/{accountId}/reports",
            "/api/accounts/{accountId}/reports/{reportId}",
            "/api/accounts/{accountId}/reports/{reportId}/export",
            "/api/accounts/{accountId}/reports/{reportId}/sharing",
            "/api/accounts/{accountId}/items",
            "/api/accounts/{accountId}/items/{itemId}",
            "/api/accounts/{accountId}/integrations",
            "/api/accounts/{accountId}/integrations/{integrationId}",
            "/healthz",
        ];
        var missing = expected.Where(p => !paths.Contains(p) && !paths.Contains(p + "/")).ToList();
        Assert.True(missing.Count == 0, "Missing from the OpenAPI document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_openapi_document_offers_an_idempotency_key_on_signed_in_posts_only()
    {
        var document = await factory.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);
        var accounts = document["paths"]!["/api/accounts"]!;

        static IEnumerable<string?> HeaderNames(JsonNode operation) =>
            (operation["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "header").Select(p => (string?)p!["name"]);

        Assert.Contains("Idempotency-Key", HeaderNames(accounts["post"]!));
        Assert.DoesNotContain("Idempotency-Key", HeaderNames(accounts["get"]!));
        Assert.Contains("Idempotency-Key", HeaderNames(document["paths"]!["/api/connections/{connectionId}/accept"]!["post"]!));
    }

    [Fact]
    public async Task An_unknown_route_is_a_not_found_problem()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));

        await alice.GetAsync("/api/nothing-here").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
