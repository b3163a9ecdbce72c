using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Host.Tests;

/// <summary>The generated options validators refuse what the data annotations forbid, and the start fails on it.</summary>
public sealed class OptionsValidationTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-options-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Delete(recursive: true);
    }

    [Theory]
    [InlineData("Queues:MaxDequeueCount", "0", "MaxDequeueCount")]
    [InlineData("Queues:VisibilityTimeout", "02:00:00", "VisibilityTimeout")]
    [InlineData("Invitations:Lifetime", "00:00:10", "Lifetime")]
    [InlineData("Invitations:MaxPerRecipientPerDay", "0", "MaxPerRecipientPerDay")]
    [InlineData("Storage:DataPath", "", "DataPath")]
    public void A_setting_outside_its_range_fails_the_start(string key, string value, string member)
    {
        using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Storage:DataPath", _data.FullName)
            .UseSetting("Functions:RunBackgroundJobs", "false")
            .UseSetting(key, value));

        var failure = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(failure.Failures, f => f.Contains(member, StringComparison.Ordinal));
    }
}
