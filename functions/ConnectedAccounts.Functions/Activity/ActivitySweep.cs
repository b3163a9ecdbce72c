using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Activity;

/// <summary>
/// The timer function <c>ActivitySweep</c>: deletes activity entries past <see cref="ActivityOptions.Retention"/>.
/// It reads the day index (<see cref="Keys.ActivityDay"/>) for the days wholly before the cutoff and, in each partition
/// named there, the trail's range older than the cutoff (its oldest keys, never the whole trail), deleting each entry
/// with its copy in the connection's history; then the day row. A sweep that dies part way leaves the day row, and the
/// next run finds what is left.
/// </summary>
public sealed class ActivitySweep(DataStore store, IOptions<ActivityOptions> options, ILogger<ActivitySweep> logger)
{
    /// <summary>Returns how many entries it deleted.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var cutoff = store.Time.GetUtcNow() - options.Value.Retention;
        var days = new TableQuery { PartitionKey = Keys.ActivityDaysPartition, RowKeyTo = Keys.ActivityDay(cutoff, "") };
        var deleted = 0;
        await foreach (var day in store.Data.QueryAllAsync(days, ct))
        {
            var partition = day.RowKey[(day.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..];
            deleted += await SweepAsync(partition, cutoff, ct);
            await store.Data.DeleteEntityAsync(day.PartitionKey, day.RowKey, day.ETag, ct);
        }

        if (deleted > 0)
        {
            logger.LogInformation("Activity sweep: {Deleted} entries older than {Cutoff:O} deleted.", deleted, cutoff);
        }

        return deleted;
    }

    private async Task<int> SweepAsync(string partition, DateTimeOffset cutoff, CancellationToken ct)
    {
        var (_, end) = TableFilter.RowKeyRange(new TableQuery { PartitionKey = partition, RowKeyPrefix = Keys.ActivityPrefix });
        var old = new TableQuery { PartitionKey = partition, RowKeyFrom = Keys.ActivityBefore(Keys.ActivityPrefix, cutoff), RowKeyTo = end };
        var deleted = 0;
        var rows = new List<TableEntity>();
        await foreach (var row in store.Data.QueryAllAsync(old, ct))
        {
            rows.Add(row);
        }

        // Each entry and its connection-history copy go together; a batch holds at most 100 deletes.
        foreach (var chunk in rows.Chunk(50))
        {
            var actions = new List<TableTransactionAction>();
            foreach (var row in chunk)
            {
                actions.Add(TableTransactionAction.Delete(partition, row.RowKey, ETag.Any));
                var entry = Documents.FromEntity(row, AppJsonContext.Default.ActivityEntry);
                if (entry.ConnectionId is { } connectionId && Ids.ClientAccountIdOf(connectionId) == partition)
                {
                    actions.Add(TableTransactionAction.Delete(partition, Keys.ConnectionActivity(connectionId, entry.At, entry.Id), ETag.Any));
                }
            }

            if ((await store.Data.SubmitTransactionAsync(actions, ct)).Succeeded)
            {
                deleted += chunk.Length;
            }
        }

        return deleted;
    }
}
