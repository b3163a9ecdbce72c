using System.Collections.Concurrent;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Activity;

/// <summary>
/// Writes the activity sweep's day index (<see cref="Keys.ActivityDay"/>): a partition that gets an entry on a day
/// has a row for that day before the entry's batch commits. This process remembers what it wrote, so steady traffic
/// costs one upsert per partition and day, not one per change.
/// </summary>
public sealed class ActivityDays
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, byte> _written = new(StringComparer.Ordinal);

    public async Task NoteAsync(ITableClient table, DateTimeOffset at, string partitionKey, CancellationToken ct)
    {
        var key = Keys.ActivityDay(at, partitionKey);
        if (_written.ContainsKey(key))
        {
            return;
        }

        await table.UpsertEntityAsync(new TableEntity(Keys.ActivityDaysPartition, key), TableUpdateMode.Replace, ct);
        if (_written.Count >= MaxRemembered)
        {
            _written.Clear();
        }

        _written.TryAdd(key, 0);
    }
}
