using System.Diagnostics;
using System.Globalization;
using ConnectedAccounts.Storage;
using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// Writes the same entities to Azure Table Storage (normally Azurite) once through 100-action transactions and once
/// one request per entity, in the same run, and prints wall time, requests and the ratio. A Stopwatch with a few
/// repetitions and the median, not BenchmarkDotNet: one repetition is tens of thousands of HTTP round trips, and
/// BenchmarkDotNet's pilot and warm-up rounds would multiply that for no extra precision. Writes are sequential so
/// the comparison is round trips, not parallelism; the order alternates between repetitions so neither mode
/// always runs on a warmer Azurite.
/// </summary>
public static class StorageBatchBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = BenchmarkArgs.Option(args, "--connection-string")
            ?? Environment.GetEnvironmentVariable("AZURITE_CONNECTION_STRING")
            ?? "UseDevelopmentStorage=true";
        var entities = int.Parse(BenchmarkArgs.Option(args, "--entities") ?? "10000", CultureInfo.InvariantCulture);
        var repetitions = int.Parse(BenchmarkArgs.Option(args, "--repetitions") ?? "3", CultureInfo.InvariantCulture);
        var service = new AzureTableServiceClient(connectionString);

        Console.WriteLine($"Writing {entities} entities (100 per partition) to {service.Endpoint}, {repetitions} repetitions.");
        var batched = new List<Measurement>();
        var single = new List<Measurement>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            if (repetition % 2 == 0)
            {
                batched.Add(await MeasureAsync(service, entities, WriteInBatchesAsync));
                single.Add(await MeasureAsync(service, entities, WriteOneByOneAsync));
            }
            else
            {
                single.Add(await MeasureAsync(service, entities, WriteOneByOneAsync));
                batched.Add(await MeasureAsync(service, entities, WriteInBatchesAsync));
            }

            Console.WriteLine($"  repetition {repetition + 1}: batches {batched[^1]}, one by one {single[^1]}");
        }

        var batchedMedian = Median(batched);
        var singleMedian = Median(single);
        Console.WriteLine($"median batches:    {batchedMedian}");
        Console.WriteLine($"median one by one: {singleMedian}");
        Console.WriteLine($"one by one / batches: {singleMedian.Elapsed.TotalMilliseconds / batchedMedian.Elapsed.TotalMilliseconds:F1}x time, {(double)singleMedian.Requests / batchedMedian.Requests:F0}x requests");
        return 0;
    }

    private static async Task<Measurement> MeasureAsync(AzureTableServiceClient service, int entities, Func<ITableClient, int, Task> write)
    {
        var table = service.GetTableClient("bench" + Guid.NewGuid().ToString("N")[..20]);
        await table.CreateIfNotExistsAsync();
        try
        {
            using var scope = StorageRequestCounter.BeginScope();
            var stopwatch = Stopwatch.StartNew();
            await write(table, entities);
            stopwatch.Stop();
            return new Measurement(stopwatch.Elapsed, scope.Count, entities);
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    private static async Task WriteInBatchesAsync(ITableClient table, int entities)
    {
        foreach (var chunk in Entities(entities).Chunk(100))
        {
            var result = await table.SubmitTransactionAsync(chunk.Select(TableTransactionAction.Add).ToList());
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"A batch failed at {result.FailedIndex}: {result.FailedStatus}.");
            }
        }
    }

    private static async Task WriteOneByOneAsync(ITableClient table, int entities)
    {
        foreach (var entity in Entities(entities))
        {
            var result = await table.AddEntityAsync(entity);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"A write failed: {result.Status}.");
            }
        }
    }

    /// <summary>A few typical properties, so the payload resembles an outbox or membership row.</summary>
    private static IEnumerable<TableEntity> Entities(int count) =>
        Enumerable.Range(0, count).Select(i => new TableEntity($"account-{i / 100:D5}", $"row-{i % 100:D3}")
        {
            ["Kind"] = "member",
            ["UserId"] = Guid.NewGuid(),
            ["Role"] = "editor",
            ["Version"] = (long)i,
            ["CreatedAt"] = DateTimeOffset.UnixEpoch.AddSeconds(i),
        });

    private static Measurement Median(List<Measurement> measurements) =>
        measurements.OrderBy(m => m.Elapsed).ElementAt(measurements.Count / 2);

    private sealed record Measurement(TimeSpan Elapsed, long Requests, int Entities)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Elapsed.TotalSeconds:F2} s, {Requests} requests, {Entities / Elapsed.TotalSeconds:F0} entities/s");
    }
}
