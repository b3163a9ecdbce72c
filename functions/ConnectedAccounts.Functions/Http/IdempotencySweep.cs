using System.Globalization;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// The timer function <c>IdempotencySweep</c>: deletes <c>Idempotency-Key</c> records once their retention has
/// passed. Records live in their users' partitions, so every claim first writes an expiry row into one of
/// <see cref="Shards"/> partitions, keyed by its time; the sweep reads the expired key range of each shard instead
/// of every user's partition. Deletes are ETag-guarded: a record a retry took over meanwhile stays (its claim wrote
/// a newer expiry row), and two sweeps at once delete nothing twice.
/// </summary>
public sealed class IdempotencySweep(ITableServiceClient tables, TimeProvider time, ILogger<IdempotencySweep> logger)
{
    private const int Shards = 16;
    private const string ShardPrefix = "expiry|";

    private ITableClient Table => tables.GetTableClient(Keys.IdempotencyTable);

    /// <summary>
    /// The expiry row of <paramref name="claim"/>, written before the claim so no record is ever without one; a
    /// claim that then loses to a live record leaves a row the sweep drops. Shards are picked at random: the sweep
    /// reads them all, and writes spread over them.
    /// </summary>
    public static async Task IndexAsync(ITableClient table, TableEntity claim, DateTimeOffset created, CancellationToken ct) =>
        await table.AddEntityAsync(new TableEntity(Shard(Random.Shared.Next(Shards)), Keys.TimeOrdered(created, Guid.NewGuid().ToString("N")))
        {
            ["RecordPartition"] = claim.PartitionKey,
            ["RecordRow"] = claim.RowKey,
        }, ct);

    /// <summary>Returns how many records it deleted.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = Keys.TimeOrdered(now - IdempotencyMiddleware.Retention, "");
        var deleted = 0;
        for (var shard = 0; shard < Shards; shard++)
        {
            deleted += await TimeIndex.SweepAsync(
                Table,
                new TableQuery { PartitionKey = Shard(shard), RowKeyTo = expired },
                row => row.GetString("RecordPartition") is { } partition && row.GetString("RecordRow") is { } key ? (partition, key) : null,
                record => IdempotencyMiddleware.HasLapsed(record, now),
                cancellationToken);
        }

        if (deleted > 0)
        {
            logger.LogInformation("Idempotency sweep: {Deleted} expired records deleted.", deleted);
        }

        return deleted;
    }

    private static string Shard(int shard) => ShardPrefix + shard.ToString("D2", CultureInfo.InvariantCulture);
}
