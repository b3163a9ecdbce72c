namespace ConnectedAccounts.Storage.Tests.Azure;

public sealed class StorageRequestCounterTests
{
    [Fact]
    public async Task A_scope_counts_requests_of_its_own_async_flow_only()
    {
        using var outer = StorageRequestCounter.BeginScope();
        StorageRequestCounter.Increment();

        long inner;
        using (var scope = StorageRequestCounter.BeginScope())
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(StorageRequestCounter.Increment)));
            inner = scope.Count;
        }

        await Task.Run(() =>
        {
            using var unrelated = StorageRequestCounter.BeginScope();
            StorageRequestCounter.Increment();
        });
        StorageRequestCounter.Increment();

        Assert.Equal(10, inner);
        Assert.Equal(13, outer.Count);
    }

    [Fact]
    public void A_disposed_scope_stops_counting()
    {
        var scope = StorageRequestCounter.BeginScope();
        StorageRequestCounter.Increment();
        scope.Dispose();
        StorageRequestCounter.Increment();

        Assert.Equal(1, scope.Count);
    }
}
