using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Tests.Sqlite;

/// <summary>
/// On SQLite a <see cref="ReadSnapshot"/> is one read transaction: the flow's reads see one committed state, whatever
/// other flows commit meanwhile, until the flow writes or the snapshot ends.
/// </summary>
public sealed class SqliteReadSnapshotTests(TemporaryFolder folder) : IClassFixture<TemporaryFolder>, IDisposable
{
    private readonly SqliteTableServiceClient _service = new(folder.DatabasePath);
    private readonly string _pk = "p-" + Guid.NewGuid().ToString("N");

    private ITableClient Table => _service.GetTableClient("Snapshots");

    public void Dispose() => _service.Dispose();

    [Fact]
    public async Task Reads_in_a_snapshot_see_one_state_while_other_flows_commit()
    {
        await Table.AddEntityAsync(Row("a", 1));

        using (ReadSnapshot.Begin())
        {
            Assert.Equal(1, await VersionAsync("a"));

            await Elsewhere(() => Table.UpsertEntityAsync(Row("a", 2), TableUpdateMode.Replace));
            await Elsewhere(() => Table.AddEntityAsync(Row("b", 1)));

            Assert.Equal(1, await VersionAsync("a"));
            Assert.Null(await Table.GetEntityIfExistsAsync(_pk, "b"));
            Assert.Equal(["a"], await RowKeysAsync());
        }

        Assert.Equal(2, await VersionAsync("a"));
        Assert.Equal(["a", "b"], await RowKeysAsync());
    }

    [Fact]
    public async Task A_write_in_the_flow_ends_the_snapshot_even_a_write_through_another_client_of_the_file()
    {
        await Table.AddEntityAsync(Row("a", 1));
        await using var queues = new SqliteQueueServiceClient(folder.DatabasePath, TimeProvider.System);
        var queue = queues.GetQueueClient("q" + Guid.NewGuid().ToString("N"));
        await queue.CreateIfNotExistsAsync();

        using var snapshot = ReadSnapshot.Begin();
        Assert.Equal(1, await VersionAsync("a"));
        await Elsewhere(() => Table.UpsertEntityAsync(Row("a", 2), TableUpdateMode.Replace));
        Assert.Equal(1, await VersionAsync("a"));

        await queue.SendMessageAsync("written in this flow");

        Assert.Equal(2, await VersionAsync("a"));
    }

    [Fact]
    public async Task A_connection_goes_back_to_other_flows_without_the_snapshot_it_held()
    {
        // One connection serves the snapshot and, once it ends, the reads after it: they must see newer commits.
        await Table.AddEntityAsync(Row("a", 1));
        using (ReadSnapshot.Begin())
        {
            Assert.Equal(1, await VersionAsync("a"));
        }

        for (var version = 2; version <= 4; version++)
        {
            await Elsewhere(() => Table.UpsertEntityAsync(Row("a", version), TableUpdateMode.Replace));
            Assert.Equal(version, await VersionAsync("a"));
        }
    }

    [Fact]
    public async Task Reads_running_at_once_in_one_snapshot_never_share_a_connection()
    {
        for (var i = 0; i < 20; i++)
        {
            await Table.AddEntityAsync(Row($"r{i:D2}", i));
        }

        using var snapshot = ReadSnapshot.Begin();
        var readers = Enumerable.Range(0, 8).Select(reader => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var row = (i + reader) % 20;
                Assert.Equal(row, await VersionAsync($"r{row:D2}"));
                Assert.Equal(20, (await Table.QueryAsync(new TableQuery { PartitionKey = _pk })).Items.Count);
            }
        }));

        await Task.WhenAll(readers);
    }

    private TableEntity Row(string rowKey, int version) => new(_pk, rowKey) { ["Version"] = version };

    private async Task<int?> VersionAsync(string rowKey) => (await Table.GetEntityIfExistsAsync(_pk, rowKey))?.GetInt32("Version");

    private async Task<IEnumerable<string>> RowKeysAsync() =>
        (await Table.QueryAsync(new TableQuery { PartitionKey = _pk })).Items.Select(e => e.RowKey);

    /// <summary>Runs <paramref name="work"/> in a flow of its own: no snapshot, as another request would.</summary>
    private static Task Elsewhere(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }
}
