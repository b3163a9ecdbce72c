using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;
using ConnectedAccounts.Storage.Tests.Conformance;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>The shared table-store suite against Azurite through <see cref="ConnectedAccounts.Storage.Azure.AzureTableClient"/>.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteTableStoreConformanceTests(AzuriteFixture azurite) : TableStoreConformance
{
    protected override ITableServiceClient CreateService() => azurite.Tables;
}

/// <summary>
/// The shared queue suite against Azurite through <see cref="ConnectedAccounts.Storage.Azure.AzureQueueClient"/>.
/// Azurite runs on real time and rounds visibility to whole seconds, so time passes by waiting, with slack.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteQueueConformanceTests(AzuriteFixture azurite) : QueueConformance
{
    protected override IQueueServiceClient CreateQueues() => azurite.Queues;

    protected override Task AdvanceAsync(TimeSpan duration) => Task.Delay(duration + TimeSpan.FromMilliseconds(600));
}
