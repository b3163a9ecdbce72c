using ConnectedAccounts.Storage.Queues;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// The embedded queue store, with Azure Queue Storage's at-least-once semantics. It may share the table store's
/// file. All time comes from <paramref name="time"/>, so tests can drive visibility timeouts with a fake clock.
/// </summary>
public sealed class SqliteQueueServiceClient : IQueueServiceClient, IDisposable, IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS queue_messages (
            sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
            queue_name    TEXT    NOT NULL,
            message_id    TEXT    NOT NULL UNIQUE,
            text          TEXT    NOT NULL,
            inserted_on   INTEGER NOT NULL,
            visible_on    INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL,
            pop_receipt   TEXT
        );
        CREATE INDEX IF NOT EXISTS queue_messages_visible ON queue_messages (queue_name, visible_on, sequence);
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public SqliteQueueServiceClient(string databasePath, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _database = new SqliteDatabase(databasePath, Schema);
        _time = time;
    }

    public IQueueClient GetQueueClient(string queueName)
    {
        if (!IsValidQueueName(queueName))
        {
            throw new ArgumentException(
                $"'{queueName}' is not a valid queue name: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.",
                nameof(queueName));
        }

        return new SqliteQueueClient(queueName, _database, _time);
    }

    public void Dispose() => _database.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool IsValidQueueName(string? name) =>
        name is { Length: >= 3 and <= 63 }
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && name[0] != '-' && name[^1] != '-'
        && !name.Contains("--", StringComparison.Ordinal);
}
