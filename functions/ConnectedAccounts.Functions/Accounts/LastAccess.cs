using System.Collections.Concurrent;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>
/// When each agency user last worked on a client account through a connection, for the access review: at most one
/// write per user and account an hour (this process remembers what it wrote), off the request's path, so an
/// authorised read still costs only its reads. A lost write only makes <c>lastAccessAt</c> older.
/// </summary>
public sealed class LastAccess(DataStore store, ILogger<LastAccess> logger)
{
    public static readonly TimeSpan Resolution = TimeSpan.FromHours(1);
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<(string AccountId, string UserId), DateTimeOffset> _written = new();

    public void Note(string accountId, string userId, DateTimeOffset at)
    {
        if (_written.TryGetValue((accountId, userId), out var last) && at - last < Resolution)
        {
            return;
        }

        if (_written.Count >= MaxRemembered)
        {
            _written.Clear();
        }

        _written[(accountId, userId)] = at;
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => WriteAsync(accountId, userId, at));
        }
    }

    /// <summary>The recorded times in the account's partition, by user id.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> ReadAsync(string accountId, CancellationToken ct)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var row in store.Data.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.LastAccessPrefix }, ct))
        {
            if (row.GetString("UserId") is { } userId && row.GetDateTimeOffset("At") is { } at)
            {
                times[userId] = at;
            }
        }

        return times;
    }

    private async Task WriteAsync(string accountId, string userId, DateTimeOffset at)
    {
        try
        {
            await store.Data.UpsertEntityAsync(new TableEntity(accountId, Keys.LastAccess(userId)) { ["UserId"] = userId, ["At"] = at }, TableUpdateMode.Replace);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Recording the last access of {UserId} to {AccountId} failed.", userId, accountId);
        }
    }
}
