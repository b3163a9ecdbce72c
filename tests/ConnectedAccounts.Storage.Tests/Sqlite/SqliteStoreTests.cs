using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Storage.Tests.Sqlite;

/// <summary>What the embedded store promises beyond the shared suite: a file that outlives the process, and one
/// file shared safely by several client instances (as the API and the queue worker do).</summary>
public sealed class SqliteStoreTests(TemporaryFolder folder) : IClassFixture<TemporaryFolder>
{
    private static string NewPartition() => "p-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Entities_survive_closing_and_reopening_the_file_with_the_same_etag()
    {
        var pk = NewPartition();
        var when = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero).AddTicks(7);
        TableWriteResult written;
        await using (var before = new SqliteTableServiceClient(folder.DatabasePath))
        {
            var entity = new TableEntity(pk, "r") { ["Name"] = "Ada", ["When"] = when, ["Big"] = 1L << 40 };
            written = await before.GetTableClient("Accounts").AddEntityAsync(entity);
        }

        await using var after = new SqliteTableServiceClient(folder.DatabasePath);
        var read = await after.GetTableClient("Accounts").GetEntityIfExistsAsync(pk, "r");

        Assert.NotNull(read);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("Ada", read.GetString("Name"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(1L << 40, read.GetInt64("Big"));
    }

    [Fact]
    public async Task A_reader_sees_every_new_version_another_instance_writes_to_the_file()
    {
        // The reader keeps rows it read by ETag; each change elsewhere must still reach it, in point reads and pages.
        var pk = NewPartition();
        await using var writer = new SqliteTableServiceClient(folder.DatabasePath);
        await using var reader = new SqliteTableServiceClient(folder.DatabasePath);
        var written = writer.GetTableClient("Accounts");
        var read = reader.GetTableClient("Accounts");

        for (var version = 1; version <= 3; version++)
        {
            await written.UpsertEntityAsync(new TableEntity(pk, "r") { ["Version"] = version }, TableUpdateMode.Replace);
            var one = await read.GetEntityIfExistsAsync(pk, "r");
            var page = await read.QueryAsync(new TableQuery { PartitionKey = pk });

            Assert.Equal(version, one!.GetInt32("Version"));
            Assert.Equal(version, Assert.Single(page.Items).GetInt32("Version"));
        }

        var current = await read.GetEntityIfExistsAsync(pk, "r");
        Assert.True((await written.DeleteEntityAsync(pk, "r", current!.ETag)).Succeeded);
        await written.AddEntityAsync(new TableEntity(pk, "r") { ["Version"] = 4, ["Added"] = true });

        var again = await read.GetEntityIfExistsAsync(pk, "r");
        Assert.Equal(4, again!.GetInt32("Version"));
        Assert.True(again.GetBoolean("Added"));
    }

    [Fact]
    public async Task Queued_messages_survive_closing_and_reopening_the_file()
    {
        var clock = new FakeTimeProvider();
        var name = "q" + Guid.NewGuid().ToString("N");
        await using (var before = new SqliteQueueServiceClient(folder.DatabasePath, clock))
        {
            await before.GetQueueClient(name).SendMessageAsync("persisted");
        }

        await using var after = new SqliteQueueServiceClient(folder.DatabasePath, clock);
        var message = Assert.Single(await after.GetQueueClient(name).ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Equal("persisted", message.Text);
    }

    [Fact]
    public async Task Tables_and_queues_can_share_one_file()
    {
        var clock = new FakeTimeProvider();
        await using var tables = new SqliteTableServiceClient(folder.DatabasePath, clock);
        await using var queues = new SqliteQueueServiceClient(folder.DatabasePath, clock);
        var pk = NewPartition();
        var queue = queues.GetQueueClient("q" + Guid.NewGuid().ToString("N"));

        await tables.GetTableClient("Outbox").AddEntityAsync(new TableEntity(pk, "r"));
        await queue.SendMessageAsync("m");

        Assert.NotNull(await tables.GetTableClient("Outbox").GetEntityIfExistsAsync(pk, "r"));
        Assert.Equal(1, await queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Table_names_are_case_insensitive_as_in_table_storage()
    {
        await using var tables = new SqliteTableServiceClient(folder.DatabasePath);
        var pk = NewPartition();

        await tables.GetTableClient("Connections").AddEntityAsync(new TableEntity(pk, "r"));

        Assert.NotNull(await tables.GetTableClient("connections").GetEntityIfExistsAsync(pk, "r"));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1table")]
    [InlineData("has-hyphen")]
    [InlineData("has space")]
    public void Invalid_table_names_are_rejected(string name)
    {
        using var tables = new SqliteTableServiceClient(folder.DatabasePath);

        Assert.Throws<ArgumentException>(() => tables.GetTableClient(name));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("double--hyphen")]
    public void Invalid_queue_names_are_rejected(string name)
    {
        using var queues = new SqliteQueueServiceClient(folder.DatabasePath, TimeProvider.System);

        Assert.Throws<ArgumentException>(() => queues.GetQueueClient(name));
    }

    [Fact]
    public async Task Concurrent_writers_through_separate_client_instances_on_one_file_lose_no_update()
    {
        const int instances = 4;
        const int writersPerInstance = 4;
        const int incrementsEach = 5;
        var services = Enumerable.Range(0, instances).Select(_ => new SqliteTableServiceClient(folder.DatabasePath)).ToList();
        try
        {
            var pk = NewPartition();
            await services[0].GetTableClient("Counters").AddEntityAsync(new TableEntity(pk, "counter") { ["Count"] = 0 });

            async Task IncrementAsync(ITableClient table)
            {
                for (var done = 0; done < incrementsEach;)
                {
                    var read = await table.GetEntityIfExistsAsync(pk, "counter");
                    var next = new TableEntity(pk, "counter") { ["Count"] = read!.GetInt32("Count")!.Value + 1 };
                    if ((await table.UpdateEntityAsync(next, read.ETag, TableUpdateMode.Replace)).Succeeded)
                    {
                        done++;
                    }
                }
            }

            await Task.WhenAll(services.SelectMany(service =>
                Enumerable.Range(0, writersPerInstance).Select(_ => Task.Run(() => IncrementAsync(service.GetTableClient("Counters"))))));

            var final = await services[0].GetTableClient("Counters").GetEntityIfExistsAsync(pk, "counter");
            Assert.Equal(instances * writersPerInstance * incrementsEach, final!.GetInt32("Count"));
        }
        finally
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
        }
    }

    [Fact]
    public async Task Of_writers_on_separate_instances_holding_the_same_etag_exactly_one_wins()
    {
        var services = Enumerable.Range(0, 8).Select(_ => new SqliteTableServiceClient(folder.DatabasePath)).ToList();
        try
        {
            var pk = NewPartition();
            var added = await services[0].GetTableClient("Counters").AddEntityAsync(new TableEntity(pk, "c") { ["Count"] = 0 });

            var results = await Task.WhenAll(services.Select((service, i) => Task.Run(() =>
                service.GetTableClient("Counters").UpdateEntityAsync(new TableEntity(pk, "c") { ["Count"] = i + 1 }, added.ETag, TableUpdateMode.Replace))));

            Assert.Single(results, r => r.Succeeded);
            Assert.Equal(7, results.Count(r => r.Status == TableWriteStatus.PreconditionFailed));
        }
        finally
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
        }
    }

    [Fact]
    public async Task Concurrent_receivers_on_separate_instances_never_share_a_message()
    {
        var clock = new FakeTimeProvider();
        var name = "q" + Guid.NewGuid().ToString("N");
        var services = Enumerable.Range(0, 4).Select(_ => new SqliteQueueServiceClient(folder.DatabasePath, clock)).ToList();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                await services[0].GetQueueClient(name).SendMessageAsync($"m{i}");
            }

            var batches = await Task.WhenAll(services.SelectMany(service => Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                var mine = new List<string>();
                while (await service.GetQueueClient(name).ReceiveMessagesAsync(3, TimeSpan.FromMinutes(1)) is { Count: > 0 } batch)
                {
                    mine.AddRange(batch.Select(m => m.MessageId));
                }

                return mine;
            }))));

            var all = batches.SelectMany(b => b).ToList();
            Assert.Equal(40, all.Count);
            Assert.Equal(40, all.Distinct().Count());
        }
        finally
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
        }
    }
}
