using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Persistence;

/// <summary>
/// A time-keyed index (<see cref="Keys.TimeOrdered"/>) whose rows each name a record to delete once it has lapsed:
/// a sweep reads the index's expired range instead of every record.
/// </summary>
public static class TimeIndex
{
    /// <summary>
    /// For each index row in <paramref name="expired"/>: deletes the record it names if that still exists and has
    /// lapsed, under the ETag it was read at (a record rewritten meanwhile stays, and two sweeps at once delete nothing
    /// twice), then the index row. Returns how many records it deleted.
    /// </summary>
    public static async Task<int> SweepAsync(
        ITableClient table, TableQuery expired, Func<TableEntity, (string Partition, string Row)?> recordOf, Func<TableEntity, bool> hasLapsed, CancellationToken ct)
    {
        var deleted = 0;
        await foreach (var row in table.QueryAllAsync(expired, ct))
        {
            if (recordOf(row) is var (partition, key) &&
                await table.GetEntityIfExistsAsync(partition, key, ct) is { } record &&
                hasLapsed(record) &&
                (await table.DeleteEntityAsync(partition, key, record.ETag, ct)).Succeeded)
            {
                deleted++;
            }

            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, ct);
        }

        return deleted;
    }
}
