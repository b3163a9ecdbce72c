using System.Diagnostics;
using System.Globalization;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage;
using ConnectedAccounts.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// Issue 15, "events relayed per second": the outbox relay sweeping N integration-event rows to the local AMQP broker
/// (the tests' <see cref="LocalServiceBus"/>, over TCP with the real SDK), against the same relay sweeping N rows of the
/// same text to a storage queue, in one run on one SQLite store. Seeding is not timed; the order alternates.
/// </summary>
public static class EventsRelayBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = int.Parse(BenchmarkArgs.Option(args, "--events") ?? "2000", CultureInfo.InvariantCulture);
        var repetitions = int.Parse(BenchmarkArgs.Option(args, "--repetitions") ?? "3", CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("ca-events-bench-");
        await using var broker = LocalServiceBus.Start("connected-accounts/subscriptions/all");
        try
        {
            var path = new StorageOptions { DataPath = folder.FullName }.SqlitePath;
            await using var tables = new SqliteTableServiceClient(path);
            await using var queues = new SqliteQueueServiceClient(path, TimeProvider.System);
            await tables.GetTableClient(Keys.DataTable).CreateIfNotExistsAsync();
            var options = Options.Create(new EventsOptions { ServiceBus = { ConnectionString = broker.ConnectionString } });
            await using var events = new IntegrationEvents(options, NullLogger<IntegrationEvents>.Instance);
            using var relay = new OutboxRelay(tables, queues, NullLogger<OutboxRelay>.Instance, events);
            var store = new DataStore(tables, relay, TimeProvider.System, new ActivityDays(), events);
            Console.WriteLine($"{count} events in 100-row batches, {repetitions} repetitions; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

            var (toBroker, toQueue) = (new List<double>(), new List<double>());
            for (var r = 0; r < repetitions; r++)
            {
                foreach (var target in r % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    await SeedAsync(store, count, target);
                    var watch = Stopwatch.StartNew();
                    var sent = await relay.SweepAsync(CancellationToken.None);
                    watch.Stop();
                    (target ? toBroker : toQueue).Add(sent / watch.Elapsed.TotalSeconds);
                }
            }

            var (broker1, queue1) = (BenchmarkApi.Median(toBroker), BenchmarkApi.Median(toQueue));
            Console.WriteLine($"  to Service Bus (local broker): {broker1:F0} events/s (runs: {string.Join(", ", toBroker.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
            Console.WriteLine($"  to a storage queue (baseline): {queue1:F0} rows/s (runs: {string.Join(", ", toQueue.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})");
            Console.WriteLine($"  ratio: {broker1 / queue1:P0} of the queue relay; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        return 0;
    }

    /// <summary>Rows as a commit leaves them: an entry's event (or the same text bound for a storage queue) in outboxes of 100.</summary>
    private static async Task SeedAsync(DataStore store, int count, bool toBroker)
    {
        for (var done = 0; done < count; done += 100)
        {
            var batch = store.Batch(Domain.Common.Ids.NewAccountId());
            for (var i = done; i < Math.Min(count, done + 100); i++)
            {
                var entry = ActivityEntry.Of(DateTimeOffset.UtcNow, ActivityActor.System, "account.renamed", new ActivitySubject("account", batch.PartitionKey, "Bench"));
                batch.Outbox(new OutboxEntry(toBroker ? IntegrationEvents.OutboxTarget : "bench-events", IntegrationEvents.ToCloudEvent(entry, batch.PartitionKey)));
            }

            await batch.CommitAsync(CancellationToken.None);
        }
    }

}
