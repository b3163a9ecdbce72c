using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tests.Conformance;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Storage.Tests.Sqlite;

/// <summary>The queue suite on SQLite with a fake clock: visibility timeouts pass instantly.</summary>
public sealed class SqliteQueueConformanceTests(TemporaryFolder folder)
    : QueueConformance, IClassFixture<TemporaryFolder>, IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private SqliteQueueServiceClient? _service;

    protected override IQueueServiceClient CreateQueues() => _service = new SqliteQueueServiceClient(folder.DatabasePath, _clock);

    protected override Task AdvanceAsync(TimeSpan duration)
    {
        _clock.Advance(duration);
        return Task.CompletedTask;
    }

    public void Dispose() => _service?.Dispose();
}

/// <summary>
/// The queue suite on SQLite with the system clock and real waits, as Azurite and Azure run it: proves the suite
/// itself works against real time before anyone points it at a real service.
/// </summary>
public sealed class SqliteQueueRealTimeConformanceTests(TemporaryFolder folder)
    : QueueConformance, IClassFixture<TemporaryFolder>, IDisposable
{
    private SqliteQueueServiceClient? _service;

    protected override IQueueServiceClient CreateQueues() => _service = new SqliteQueueServiceClient(folder.DatabasePath, TimeProvider.System);

    protected override Task AdvanceAsync(TimeSpan duration) => Task.Delay(duration + TimeSpan.FromMilliseconds(100));

    public void Dispose() => _service?.Dispose();
}
