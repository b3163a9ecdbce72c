using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>Small helpers so tests read as the flow they prove.</summary>
public static class TestApi
{
    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static async Task<JsonObject> ExpectAsync(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject ?? [];
    }

    /// <summary>Asserts a problem document with the given status and stable type code.</summary>
    public static async Task<JsonObject> ExpectProblemAsync(this Task<HttpResponseMessage> call, HttpStatusCode status, string code)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("https://connected-accounts.dev/problems/" + code, (string?)problem["type"]);
        Assert.Equal((int)status, (int?)problem["status"]);
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);

    public static async Task<string> CreateAccountAsync(this HttpClient client, string kind, string? name = null)
    {
        var account = await client.PostAsJsonAsync("/api/accounts", new { name = name ?? kind + " " + Guid.NewGuid().ToString("N")[..6], kind }).ExpectAsync(HttpStatusCode.Created);
        return (string)account["id"]!;
    }

    /// <summary>An agency and a client (each with its own orgAdmin) connected by account id and accepted.</summary>
    public static async Task<(string AgencyId, string ClientId, string ConnectionId)> ConnectAsync(HttpClient agencyAdmin, HttpClient clientAdmin, object? request = null)
    {
        var agencyId = await agencyAdmin.CreateAccountAsync("agency");
        var clientId = await clientAdmin.CreateAccountAsync("client");
        var connection = await agencyAdmin.PostAsJsonAsync($"/api/accounts/{agencyId}/connections", request ?? new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)connection["id"]!;
        await clientAdmin.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        return (agencyId, clientId, connectionId);
    }

    /// <summary>Polls until the condition holds (index copies are fed through the outbox and the queue).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
