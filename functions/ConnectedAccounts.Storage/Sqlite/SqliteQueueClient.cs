using ConnectedAccounts.Storage.Queues;
using Microsoft.Data.Sqlite;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One queue in the embedded store. Receiving picks visible messages and hides them in one IMMEDIATE transaction,
/// so a message goes to one receiver per visibility window; every receive and visibility update issues a fresh pop
/// receipt, which makes the previous holder's receipt stale.
/// </summary>
public sealed class SqliteQueueClient : IQueueClient
{
    private const int MaxReceive = 32;
    private static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    internal SqliteQueueClient(string name, SqliteDatabase database, TimeProvider time)
    {
        Name = name;
        _database = database;
        _time = time;
    }

    public string Name { get; }

    /// <summary>Messages of all queues share one SQL table, so there is nothing to create.</summary>
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task SendMessageAsync(string text, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var delay = visibilityDelay ?? TimeSpan.Zero;
        RequireVisibility(delay, nameof(visibilityDelay));

        var now = _time.GetUtcNow();
        await _database.WriteAsync(
            async (connection, transaction) =>
            {
                await using var command = Command(connection, transaction, """
                    INSERT INTO queue_messages (queue_name, message_id, text, inserted_on, visible_on, dequeue_count, pop_receipt)
                    VALUES ($queue, $id, $text, $inserted, $visible, 0, NULL)
                    """);
                command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("D"));
                command.Parameters.AddWithValue("$text", text);
                command.Parameters.AddWithValue("$inserted", now.UtcTicks);
                command.Parameters.AddWithValue("$visible", (now + delay).UtcTicks);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            _ => true,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxReceive);
        RequireVisibility(visibilityTimeout, nameof(visibilityTimeout));

        return await _database.WriteAsync<IReadOnlyList<QueueMessage>>(
            async (connection, transaction) =>
            {
                var now = _time.GetUtcNow();
                var nextVisibleOn = now + visibilityTimeout;
                var candidates = new List<(long Sequence, string Id, string Text, long InsertedOn, long DequeueCount)>();
                await using (var select = Command(connection, transaction, """
                    SELECT sequence, message_id, text, inserted_on, dequeue_count FROM queue_messages
                    WHERE queue_name = $queue AND visible_on <= $now
                    ORDER BY visible_on, sequence
                    LIMIT $take
                    """))
                {
                    select.Parameters.AddWithValue("$now", now.UtcTicks);
                    select.Parameters.AddWithValue("$take", maxMessages);
                    await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        candidates.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
                    }
                }

                var received = new List<QueueMessage>(candidates.Count);
                foreach (var candidate in candidates)
                {
                    var popReceipt = NewPopReceipt();
                    await using var hide = Command(connection, transaction, """
                        UPDATE queue_messages SET visible_on = $visible, dequeue_count = dequeue_count + 1, pop_receipt = $receipt
                        WHERE sequence = $sequence
                        """);
                    hide.Parameters.AddWithValue("$visible", nextVisibleOn.UtcTicks);
                    hide.Parameters.AddWithValue("$receipt", popReceipt);
                    hide.Parameters.AddWithValue("$sequence", candidate.Sequence);
                    await hide.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    received.Add(new QueueMessage(
                        candidate.Id,
                        popReceipt,
                        candidate.Text,
                        candidate.DequeueCount + 1,
                        new DateTimeOffset(candidate.InsertedOn, TimeSpan.Zero),
                        nextVisibleOn));
                }

                return received;
            },
            _ => true,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(popReceipt);

        return await _database.WriteAsync(
            async (connection, transaction) =>
            {
                await using var command = Command(connection, transaction, """
                    DELETE FROM queue_messages WHERE queue_name = $queue AND message_id = $id AND pop_receipt = $receipt
                    """);
                command.Parameters.AddWithValue("$id", messageId);
                command.Parameters.AddWithValue("$receipt", popReceipt);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            },
            _ => true,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(popReceipt);
        RequireVisibility(visibilityTimeout, nameof(visibilityTimeout));

        return await _database.WriteAsync(
            async (connection, transaction) =>
            {
                var newReceipt = NewPopReceipt();
                await using var command = Command(connection, transaction, """
                    UPDATE queue_messages SET visible_on = $visible, pop_receipt = $new
                    WHERE queue_name = $queue AND message_id = $id AND pop_receipt = $receipt
                    """);
                command.Parameters.AddWithValue("$visible", (_time.GetUtcNow() + visibilityTimeout).UtcTicks);
                command.Parameters.AddWithValue("$new", newReceipt);
                command.Parameters.AddWithValue("$id", messageId);
                command.Parameters.AddWithValue("$receipt", popReceipt);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? newReceipt : null;
            },
            _ => true,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every message in the queue, hidden or not, as Azure counts it.</summary>
    public Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync(
            "SELECT COUNT(*) FROM queue_messages WHERE queue_name = $queue",
            statement =>
            {
                statement.Bind("$queue", Name);
                return statement.Step() ? checked((int)statement.Int64(0)) : 0;
            },
            cancellationToken);

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Every caller passes a constant; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.AddWithValue("$queue", Name);
        return command;
    }

    private static void RequireVisibility(TimeSpan value, string paramName)
    {
        if (value < TimeSpan.Zero || value > MaxVisibility)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Visibility must be between zero and seven days.");
        }
    }

    private static string NewPopReceipt() => Guid.NewGuid().ToString("N");
}
