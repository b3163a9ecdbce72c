using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ConnectedAccounts.Host.Tests;

/// <summary>Work the program must not do before it answers its first request (docs/performance.md, cold start).</summary>
public sealed class StartupWorkTests : IAsyncLifetime
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-startup-");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task No_hosted_service_loads_the_data_protection_key_ring()
    {
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:DataPath", _data.FullName)
            .UseSetting("Functions:RunBackgroundJobs", "false"));

        var hosted = app.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();

        Assert.NotEmpty(hosted);
        Assert.DoesNotContain(hosted, t => t.Assembly == typeof(DataProtectionOptions).Assembly);
    }
}
