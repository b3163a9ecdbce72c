using ConnectedAccounts.Storage.Tests.Azure;
using Microsoft.AspNetCore.Hosting;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>The real program on Azure Table and Queue Storage (Azurite), through the SDK adapters.</summary>
public class AzureStorageApiFactory : ApiFactory, IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    protected AzuriteFixture Azurite => _azurite;

    protected override bool RunBackgroundJobs => false;

    public Task InitializeAsync() => _azurite.InitializeAsync();

    Task IAsyncLifetime.DisposeAsync() => _azurite.DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Storage:Provider", "AzureStorage");
        builder.UseSetting("Storage:ConnectionString", _azurite.ConnectionString);
    }
}

/// <summary>
/// The API test classes on the run's one Azurite share its queues (queue names are fixed), so they run one after
/// another: one class's drain or poller must not take another's messages.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedAzuriteQueuesCollection
{
    public const string Name = "Shared Azurite queues";
}
