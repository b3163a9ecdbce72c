using System.Diagnostics;
using System.Globalization;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Functions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Storage;
using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// Issue 4, "Speed": archiving the reports of a disconnected agency-created client, measured against the floor for
/// the same writes. In one run on one store: (a) the real <see cref="DisconnectionWorker.ArchiveReportsAsync"/> over
/// a client partition holding N unarchived reports (it queries pages of 1,000 and merges two properties per row in
/// batches of 100 rows under each row's ETag, 98 reports beside their activity entry's two rows), and (b) the same two-property merges written blind as raw 100-action
/// transactions to a partition seeded the same way, with the row keys already known (no query, no ETag). Each
/// repetition seeds fresh partitions (not timed); the order alternates; medians are reported with the storage
/// requests counted by <see cref="StorageRequestCounter"/> against the minimum, ⌈N/100⌉ batches per partition.
/// </summary>
public static class DisconnectArchiveBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var reports = int.Parse(BenchmarkArgs.Option(args, "--reports") ?? "10000", CultureInfo.InvariantCulture);
        var repetitions = int.Parse(BenchmarkArgs.Option(args, "--repetitions") ?? "5", CultureInfo.InvariantCulture);
        var azure = BenchmarkArgs.Option(args, "--connection-string") ?? Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING");

        var folder = Directory.CreateTempSubdirectory("ca-archive-bench-");
        try
        {
            var path = new StorageOptions { DataPath = folder.FullName }.SqlitePath;
            await using (var tables = new SqliteTableServiceClient(path))
            await using (var queues = new SqliteQueueServiceClient(path, TimeProvider.System))
            {
                await RunOnAsync($"SQLite file {path}", tables, queues, reports, repetitions);
            }

            if (azure is { Length: > 0 })
            {
                var tables = new AzureTableServiceClient(azure);
                await RunOnAsync("Azure Table Storage " + tables.Endpoint, tables, new AzureQueueServiceClient(azure), reports, repetitions);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        return 0;
    }

    private static async Task RunOnAsync(string storeName, ITableServiceClient tables, IQueueServiceClient queues, int reports, int repetitions)
    {
        await tables.GetTableClient(Keys.DataTable).CreateIfNotExistsAsync();
        using var relay = new OutboxRelay(tables, queues, NullLogger<OutboxRelay>.Instance);
        var store = new DataStore(tables, relay, TimeProvider.System, new ActivityDays());
        var reportStore = new ResourceStore<Report>(store, ReportsApi.Kind, AppJsonContext.Default.Report, ReportsApi.ArchiveColumns);
        var integrations = new ResourceStore<Integration>(store, "integration", AppJsonContext.Default.Integration);
        var worker = new DisconnectionWorker(
            store,
            new ConnectedAccounts.Functions.Connections.ConnectionStore(store),
            new DisconnectionPlanner(store, integrations, reportStore),
            integrations,
            queues,
            Options.Create(new QueueRunnerOptions()),
            Options.Create(new ConnectedAccounts.Functions.Email.EmailOptions()),
            NullLogger<DisconnectionWorker>.Instance);

        var minimum = (reports + PartitionBatch.MaxRows - 1) / PartitionBatch.MaxRows;
        Console.WriteLine($"{storeName}: {reports} reports in one client partition, {repetitions} repetitions, minimum {minimum} batches.");

        // One small untimed round of each so neither pays for JIT and the first SQLite connections.
        await MeasureWorkerAsync(store, reportStore, worker, 200);
        await MeasureRawAsync(store, reportStore, 200);

        var archive = new List<Measurement>();
        var raw = new List<Measurement>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            if (repetition % 2 == 0)
            {
                archive.Add(await MeasureWorkerAsync(store, reportStore, worker, reports));
                raw.Add(await MeasureRawAsync(store, reportStore, reports));
            }
            else
            {
                raw.Add(await MeasureRawAsync(store, reportStore, reports));
                archive.Add(await MeasureWorkerAsync(store, reportStore, worker, reports));
            }

            Console.WriteLine($"  repetition {repetition + 1}: ArchiveReportsAsync {archive[^1]}; raw batches {raw[^1]}");
        }

        var archiveMedian = Median(archive);
        var rawMedian = Median(raw);
        Console.WriteLine($"  median ArchiveReportsAsync: {archiveMedian}");
        Console.WriteLine($"  median raw batches:         {rawMedian}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  ratio ArchiveReportsAsync / raw: {archiveMedian.Elapsed.TotalMilliseconds / rawMedian.Elapsed.TotalMilliseconds:F2}x time (goal <= 1.5x); requests {archiveMedian.Requests} vs {rawMedian.Requests} (minimum {minimum} batches)"));
    }

    private static async Task<Measurement> MeasureWorkerAsync(DataStore store, ResourceStore<Report> reports, DisconnectionWorker worker, int count)
    {
        var accountId = await SeedAsync(store, reports, count);
        using var scope = StorageRequestCounter.BeginScope();
        var stopwatch = Stopwatch.StartNew();
        var archived = await worker.ArchiveReportsAsync(accountId, "Benchmark client", Ids.NewConnectionId(accountId), CancellationToken.None);
        stopwatch.Stop();
        if (archived != count)
        {
            throw new InvalidOperationException($"ArchiveReportsAsync archived {archived} of {count}.");
        }

        return new Measurement(stopwatch.Elapsed, scope.Count, count);
    }

    /// <summary>The floor: the same merges, 100 to a transaction, with the keys known and no condition.</summary>
    private static async Task<Measurement> MeasureRawAsync(DataStore store, ResourceStore<Report> reports, int count)
    {
        var accountId = await SeedAsync(store, reports, count);
        var rowKeys = await RowKeysAsync(store, accountId);
        using var scope = StorageRequestCounter.BeginScope();
        var stopwatch = Stopwatch.StartNew();
        var at = store.Time.GetUtcNow();
        foreach (var chunk in rowKeys.Chunk(PartitionBatch.MaxRows))
        {
            var actions = chunk.Select(rowKey => TableTransactionAction.Update(
                new TableEntity(accountId, rowKey) { ["Archived"] = true, ["ArchivedAt"] = at }, ETag.Any, TableUpdateMode.Merge)).ToList();
            var result = await store.Data.SubmitTransactionAsync(actions);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"A raw batch failed at {result.FailedIndex}: {result.FailedStatus}.");
            }
        }

        stopwatch.Stop();
        return new Measurement(stopwatch.Elapsed, scope.Count, count);
    }

    /// <summary>A fresh client partition with <paramref name="count"/> unarchived reports, shaped as the API writes them.</summary>
    private static async Task<string> SeedAsync(DataStore store, ResourceStore<Report> reports, int count)
    {
        var accountId = Ids.NewAccountId();
        var now = store.Time.GetUtcNow();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(PartitionBatch.MaxRows))
        {
            var actions = chunk.Select(i =>
            {
                var report = new Report(Ids.New("rep"), accountId, $"Report {i}", """{"metrics":["clicks","cost"],"range":"last-30-days"}""", false, false, null, "usr-bench", now, now);
                return TableTransactionAction.Add(reports.ToEntity(accountId, report.Id, report));
            }).ToList();
            if (!(await store.Data.SubmitTransactionAsync(actions)).Succeeded)
            {
                throw new InvalidOperationException("Seeding failed.");
            }
        }

        return accountId;
    }

    private static async Task<List<string>> RowKeysAsync(DataStore store, string accountId)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await store.Data.QueryAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ResourcePrefix(ReportsApi.Kind), Select = ["Archived"], ContinuationToken = token });
            keys.AddRange(page.Items.Select(e => e.RowKey));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return keys;
    }

    private static Measurement Median(List<Measurement> measurements) =>
        measurements.OrderBy(m => m.Elapsed).ElementAt(measurements.Count / 2);

    private sealed record Measurement(TimeSpan Elapsed, long Requests, int Entities)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Elapsed.TotalMilliseconds:F0} ms, {Requests} requests, {Entities / Elapsed.TotalSeconds:F0} rows/s");
    }
}
