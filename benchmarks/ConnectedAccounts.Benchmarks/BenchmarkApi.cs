using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ConnectedAccounts.Benchmarks;

/// <summary>What the HTTP benchmarks set up through the API, and the median they report.</summary>
public static class BenchmarkApi
{
    /// <summary>
    /// The agency user's account connected to the client user's account, which holds 20 reports (accepted by the
    /// client, so the agency user reaches them through the connection). Returns the client account's id.
    /// </summary>
    public static async Task<string> ConnectClientWithReportsAsync(HttpClient http, string agencyToken, string clientToken)
    {
        var agency = await PostAsync(http, agencyToken, "/api/accounts", new { name = "Agency", kind = "agency" });
        var client = await PostAsync(http, clientToken, "/api/accounts", new { name = "Client", kind = "client" });
        var connection = await PostAsync(http, agencyToken, $"/api/accounts/{agency["id"]}/connections", new { targetAccountId = (string)client["id"]! });
        await PostAsync(http, clientToken, $"/api/connections/{connection["id"]}/accept", null);
        for (var i = 0; i < 20; i++)
        {
            await PostAsync(http, clientToken, $"/api/accounts/{client["id"]}/reports", new { name = $"Report {i}" });
        }

        return (string)client["id"]!;
    }

    public static async Task<JsonObject> PostAsync(HttpClient http, string? token, string path, object? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(text)!.AsObject() : throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
