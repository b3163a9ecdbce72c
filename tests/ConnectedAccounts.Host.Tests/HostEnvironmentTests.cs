using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The environment as the Functions host gives it: <c>func start</c> sets <c>AZURE_FUNCTIONS_ENVIRONMENT</c> from
/// local.settings.json and nothing else. Development is visible from outside as the dev-token route, which exists
/// only there.
/// </summary>
public sealed class HostEnvironmentTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-environment-");

    public void Dispose() => _data.Delete(recursive: true);

    [Theory]
    [InlineData(null, "Development", HttpStatusCode.OK)]
    [InlineData(null, "Production", HttpStatusCode.NotFound)]
    [InlineData(null, null, HttpStatusCode.NotFound)]
    [InlineData("Production", "Development", HttpStatusCode.NotFound)]
    public async Task The_program_runs_in_the_environment_the_functions_host_names_unless_asp_net_core_is_told_otherwise(
        string? aspNetCore, string? functionsHost, HttpStatusCode devTokens)
    {
        await using var service = await ServiceProcess.StartAsync(_data.FullName, output, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = aspNetCore,
            ["DOTNET_ENVIRONMENT"] = null,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = functionsHost,
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress };

        using var response = await client.PostAsJsonAsync("/api/dev/tokens", new { email = "dev@example.com", name = "Dev" });

        Assert.Equal(devTokens, response.StatusCode);
    }
}
