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
    public async Task The_openapi_document_names_the_bearer_scheme_and_exempts_only_anonymous_routes()
    {
        var document = await factory.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);

        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);
        Assert.NotNull(document["security"]![0]!["bearer"]);
        Assert.Empty(document["paths"]!["/api/invitations/{token}"]!["get"]!["security"]!.AsArray());
        Assert.Null(document["paths"]!["/api/accounts"]!["get"]!["security"]);
    }

    [Fact]
    public async Task Every_api_operation_documents_its_problem_responses_and_conditional_headers()
    {
        var document = await factory.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);
        var failures = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var anonymous = operation!["security"] is JsonArray { Count: 0 };
                var responses = operation["responses"]!.AsObject();
                foreach (var code in anonymous ? new[] { "404", "500" } : ["401", "403", "404", "500"])
                {
                    if (responses[code]?["content"]?["application/problem+json"] is null)
                    {
                        failures.Add($"{method} {path}: no {code} problem");
                    }
                }

                var headers = (operation["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "header").Select(p => (string?)p!["name"]).ToList();
                if (method is "put" or "patch" or "delete" && (!headers.Contains("If-Match") || responses["412"] is null))
                {
                    failures.Add($"{method} {path}: no If-Match and 412");
                }
            }
        }

        Assert.Empty(failures);
        Assert.NotNull(document["paths"]!["/api/connections/{connectionId}"]!["get"]!["responses"]!["200"]!["headers"]!["ETag"]);
    }

    [Fact]
    public async Task The_openapi_document_gives_closed_sets_as_enums_and_optional_fields_as_optional()
    {
        var document = await factory.CreateClient().GetAsync("/openapi/v1.json").ExpectAsync(HttpStatusCode.OK);
        var schemas = document["components"]!["schemas"]!;

        // The states of a connection and the two directions, as docs/api.md names them.
        Assert.Equal(["pending", "active", "declined", "cancelled", "expired", "disconnecting", "disconnected"],
            schemas["ConnectionResponse"]!["properties"]!["state"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["canRequestAccess", "canGrantAccess"],
            schemas["AccountResponse"]!["properties"]!["connectionDirection"]!["enum"]!.AsArray().Select(v => (string)v!));
        var listConnections = document["paths"]!["/api/accounts/{accountId}/connections"]!["get"]!["parameters"]!.AsArray();
        Assert.Equal(["incoming", "outgoing"], listConnections.Single(p => (string?)p!["name"] == "direction")!["schema"]!["enum"]!.AsArray().Select(v => (string)v!));

        Assert.Null(schemas["CreateConnectionRequest"]!["required"]);
        Assert.Contains("Exactly one of targetAccountId", (string?)schemas["CreateConnectionRequest"]!["description"]);
        Assert.Equal(["name", "kind"], schemas["CreateAccountRequest"]!["required"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public async Task An_unknown_route_is_a_not_found_problem()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));

        await alice.GetAsync("/api/nothing-here").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}
