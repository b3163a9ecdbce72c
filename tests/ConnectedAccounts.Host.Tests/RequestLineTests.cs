using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace ConnectedAccounts.Host.Tests;

/// <summary>What Kestrel itself receives: the program as a process, spoken to over a socket.</summary>
public sealed class RequestLineTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-request-line-");

    public void Dispose() => _data.Delete(recursive: true);

    [Theory]
    [InlineData(9_000)]
    [InlineData(200_000)]
    public async Task An_over_long_request_line_is_a_problem_document(int length)
    {
        await using var service = await ServiceProcess.StartAsync(_data.FullName, output);
        using var http = new HttpClient { BaseAddress = service.BaseAddress };

        var response = await http.GetAsync(new Uri("/api/accounts/" + new string('a', length), UriKind.Relative));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("https://connected-accounts.dev/problems/request-target-too-long", (string?)problem["type"]);
        Assert.Equal(414, (int?)problem["status"]);
        Assert.Equal("A request's path and query have at most 8192 characters.", (string?)problem["detail"]);
    }
}
