using System.Text;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Data.Sqlite;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One logical table in the embedded store, with Table Storage's semantics: If-Match on every update and delete,
/// all-or-nothing transactions inside one partition, row-key ordered pages with an opaque continuation token.
/// Every write runs in its own IMMEDIATE transaction and re-checks the ETag in its WHERE clause, so of many
/// writers holding the same ETag exactly one wins.
/// </summary>
public sealed class SqliteTableClient : ITableClient
{
    private const int MaxPageSize = 1000;
    private const int MaxTransactionActions = 100;

    // The keys asked for are the keys returned: the statements select only what the caller does not know.
    private const string PointReadSql = """
        SELECT etag, timestamp, properties FROM entities
        WHERE table_name = $table AND partition_key = $pk AND row_key = $rk
        """;

    // One statement per combination of present bounds, so each prepares to a plain range scan of the key. No
    // LIMIT: rows stream in key order and reading stops after one more than the page; a bound LIMIT would make
    // SQLite prepare the statement again on every execution.
    private static readonly string[] PageSql = [.. Enumerable.Range(0, 8).Select(bounds => $"""
        SELECT row_key, etag, timestamp, properties FROM entities
        WHERE table_name = $table AND partition_key = $pk{((bounds & 1) != 0 ? " AND row_key >= $from" : "")}{((bounds & 2) != 0 ? " AND row_key < $to" : "")}{((bounds & 4) != 0 ? " AND row_key >= $next" : "")}
        ORDER BY row_key
        """)];

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    // Table Storage names are case-insensitive; the stored key is the lower-case form.
    private readonly string _key;

    internal SqliteTableClient(string name, SqliteDatabase database, TimeProvider time)
    {
        Name = name;
        _key = name.ToLowerInvariant();
        _database = database;
        _time = time;
    }

    public string Name { get; }

    /// <summary>Rows of all tables share one SQL table, so there is nothing to create.</summary>
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        TableKeys.Require(partitionKey, nameof(partitionKey));
        TableKeys.Require(rowKey, nameof(rowKey));

        return await _database.ReadAsync(
            PointReadSql,
            statement =>
            {
                statement.Bind("$table", _key);
                statement.Bind("$pk", partitionKey);
                statement.Bind("$rk", rowKey);
                return statement.Step() ? ReadEntity(partitionKey, rowKey, statement, firstColumn: 0, select: null) : null;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public Task<TableWriteResult> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        WriteOneAsync(TableTransactionAction.Add(entity), cancellationToken);

    public Task<TableWriteResult> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default) =>
        WriteOneAsync(TableTransactionAction.Update(entity, ifMatch, mode), cancellationToken);

    public Task<TableWriteResult> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default) =>
        WriteOneAsync(TableTransactionAction.Upsert(entity, mode), cancellationToken);

    public Task<TableWriteResult> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        TableKeys.Require(partitionKey, nameof(partitionKey));
        TableKeys.Require(rowKey, nameof(rowKey));
        return WriteOneAsync(TableTransactionAction.Delete(partitionKey, rowKey, ifMatch), cancellationToken);
    }

    public async Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        TableKeys.Require(query.PartitionKey, nameof(query));
        if (query.Top is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Top, "Top must be at least 1.");
        }

        var pageSize = Math.Min(query.Top ?? MaxPageSize, MaxPageSize);
        var (from, to) = TableFilter.RowKeyRange(query);
        var next = query.ContinuationToken is null ? null : DecodeToken(query.ContinuationToken);

        var bounds = (from is null ? 0 : 1) | (to is null ? 0 : 2) | (next is null ? 0 : 4);
        return await _database.ReadAsync(
            PageSql[bounds],
            statement =>
            {
                statement.Bind("$table", _key);
                statement.Bind("$pk", query.PartitionKey);
                statement.Bind("$from", from);
                statement.Bind("$to", to);
                statement.Bind("$next", next);
                var items = new List<TableEntity>(Math.Min(pageSize, 64));
                string? continuation = null;
                while (statement.Step())
                {
                    if (items.Count == pageSize)
                    {
                        continuation = EncodeToken(statement.Text(0));
                        break;
                    }

                    items.Add(ReadEntity(query.PartitionKey, statement.Text(0), statement, firstColumn: 1, query.Select));
                }

                return new TablePage(items, continuation);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<TableTransactionResult> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxTransactionActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxTransactionActions} actions, not {actions.Count}.", nameof(actions));
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            ValidateKeys(action.Entity);
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of a transaction must share one partition key.", nameof(actions));
            }

            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"A transaction may touch row '{action.Entity.RowKey}' only once.", nameof(actions));
            }
        }

        return await _database.WriteAsync(
            async (connection, transaction) =>
            {
                var etags = new ETag[actions.Count];
                for (var i = 0; i < actions.Count; i++)
                {
                    var result = await ApplyAsync(connection, transaction, actions[i], cancellationToken).ConfigureAwait(false);
                    if (!result.Succeeded)
                    {
                        return TableTransactionResult.Failed(i, result.Status);
                    }

                    etags[i] = result.ETag;
                }

                return TableTransactionResult.Ok(etags);
            },
            result => result.Succeeded,
            cancellationToken).ConfigureAwait(false);
    }

    private Task<TableWriteResult> WriteOneAsync(TableTransactionAction action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action.Entity);
        ValidateKeys(action.Entity);
        return _database.WriteAsync(
            (connection, transaction) => ApplyAsync(connection, transaction, action, cancellationToken),
            result => result.Succeeded,
            cancellationToken);
    }

    private static void ValidateKeys(TableEntity entity)
    {
        TableKeys.Require(entity.PartitionKey, nameof(entity));
        TableKeys.Require(entity.RowKey, nameof(entity));
    }

    private async Task<TableWriteResult> ApplyAsync(SqliteConnection connection, SqliteTransaction transaction, TableTransactionAction action, CancellationToken cancellationToken)
    {
        var entity = action.Entity;
        var stored = await ReadVersionAsync(connection, transaction, entity, cancellationToken).ConfigureAwait(false);

        if (action.ActionType == TableTransactionActionType.Add)
        {
            return stored is null
                ? await InsertAsync(connection, transaction, entity, cancellationToken).ConfigureAwait(false)
                : TableWriteResult.Failed(TableWriteStatus.AlreadyExists);
        }

        var isUpsert = action.ActionType is TableTransactionActionType.UpsertMerge or TableTransactionActionType.UpsertReplace;
        if (stored is null)
        {
            return isUpsert
                ? await InsertAsync(connection, transaction, entity, cancellationToken).ConfigureAwait(false)
                : TableWriteResult.Failed(TableWriteStatus.NotFound);
        }

        if (!isUpsert && !action.ETag.IsAny && !string.Equals(action.ETag.Value, stored.Value.ETag, StringComparison.Ordinal))
        {
            return TableWriteResult.Failed(TableWriteStatus.PreconditionFailed);
        }

        if (action.ActionType == TableTransactionActionType.Delete)
        {
            return await DeleteAsync(connection, transaction, entity, stored.Value.ETag, cancellationToken).ConfigureAwait(false);
        }

        var merge = action.ActionType is TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpsertMerge;
        IReadOnlyDictionary<string, object> properties = entity.Properties;
        if (merge)
        {
            var merged = SqliteEntityProperties.Read(stored.Value.Properties);
            foreach (var (name, value) in entity.Properties)
            {
                merged[name] = value;
            }

            properties = merged;
        }

        return await ReplaceAsync(connection, transaction, entity, properties, stored.Value.ETag, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(string ETag, string Properties)?> ReadVersionAsync(SqliteConnection connection, SqliteTransaction transaction, TableEntity entity, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, entity, """
            SELECT etag, properties FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    private async Task<TableWriteResult> InsertAsync(SqliteConnection connection, SqliteTransaction transaction, TableEntity entity, CancellationToken cancellationToken)
    {
        var etag = NewETag();
        await using var command = Command(connection, transaction, entity, """
            INSERT INTO entities (table_name, partition_key, row_key, etag, timestamp, properties)
            VALUES ($table, $pk, $rk, $etag, $timestamp, $properties)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.AddWithValue("$etag", etag.Value);
        command.Parameters.AddWithValue("$timestamp", _time.GetUtcNow().UtcTicks);
        command.Parameters.AddWithValue("$properties", SqliteEntityProperties.Serialize(entity.Properties));
        var inserted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return inserted == 1 ? TableWriteResult.Ok(etag) : TableWriteResult.Failed(TableWriteStatus.AlreadyExists);
    }

    private async Task<TableWriteResult> ReplaceAsync(
        SqliteConnection connection,
        SqliteTransaction transaction,
        TableEntity entity,
        IReadOnlyDictionary<string, object> properties,
        string expectedETag,
        CancellationToken cancellationToken)
    {
        var etag = NewETag();
        await using var command = Command(connection, transaction, entity, """
            UPDATE entities SET etag = $etag, timestamp = $timestamp, properties = $properties
            WHERE table_name = $table AND partition_key = $pk AND row_key = $rk AND etag = $expected
            """);
        command.Parameters.AddWithValue("$etag", etag.Value);
        command.Parameters.AddWithValue("$timestamp", _time.GetUtcNow().UtcTicks);
        command.Parameters.AddWithValue("$properties", SqliteEntityProperties.Serialize(properties));
        command.Parameters.AddWithValue("$expected", expectedETag);
        var updated = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return updated == 1 ? TableWriteResult.Ok(etag) : TableWriteResult.Failed(TableWriteStatus.PreconditionFailed);
    }

    private async Task<TableWriteResult> DeleteAsync(SqliteConnection connection, SqliteTransaction transaction, TableEntity entity, string expectedETag, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, entity, """
            DELETE FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk AND etag = $expected
            """);
        command.Parameters.AddWithValue("$expected", expectedETag);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return deleted == 1 ? TableWriteResult.Ok(new ETag(string.Empty)) : TableWriteResult.Failed(TableWriteStatus.PreconditionFailed);
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, TableEntity entity, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Every caller passes a constant; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.AddWithValue("$table", _key);
        command.Parameters.AddWithValue("$pk", entity.PartitionKey);
        command.Parameters.AddWithValue("$rk", entity.RowKey);
        return command;
    }

    /// <summary>An entity from the columns etag, timestamp and properties, starting at <paramref name="firstColumn"/>.</summary>
    private TableEntity ReadEntity(string partitionKey, string rowKey, SqliteStatement row, int firstColumn, IReadOnlyList<string>? select)
    {
        // The stored text is UTF-8 already: its bytes are kept and parsed when first asked for, not decoded to a string.
        var (etag, properties) = _database.Versions.Read(_key, partitionKey, rowKey, row.Bytes(firstColumn), row.Bytes(firstColumn + 2));
        return new TableEntity(partitionKey, rowKey, properties, select, SqliteEntityProperties.Read)
        {
            ETag = new ETag(etag),
            Timestamp = new DateTimeOffset(row.Int64(firstColumn + 1), TimeSpan.Zero),
        };
    }

    // Random, not time-based: two writes in the same clock tick (or under a fake clock) must still differ.
    private static ETag NewETag() => new($"W/\"{Guid.NewGuid():N}\"");

    private static string EncodeToken(string nextRowKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(nextRowKey));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException exception)
        {
            throw new ArgumentException("The continuation token was not issued by this store.", nameof(token), exception);
        }
    }
}
