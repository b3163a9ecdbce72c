using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// The embedded table store: every logical table lives in one SQL table of one SQLite file, so data survives a
/// restart and `dotnet run` needs nothing else installed. Dispose it when the process is done with the file.
/// </summary>
public sealed class SqliteTableServiceClient : ITableServiceClient, IDisposable, IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS entities (
            table_name    TEXT    NOT NULL,
            partition_key TEXT    NOT NULL,
            row_key       TEXT    NOT NULL,
            etag          TEXT    NOT NULL,
            timestamp     INTEGER NOT NULL,
            properties    TEXT    NOT NULL,
            PRIMARY KEY (table_name, partition_key, row_key)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public SqliteTableServiceClient(string databasePath, TimeProvider? time = null)
    {
        _database = new SqliteDatabase(databasePath, Schema);
        _time = time ?? TimeProvider.System;
    }

    public ITableClient GetTableClient(string tableName)
    {
        if (!IsValidTableName(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name: 3-63 letters and digits, starting with a letter.", nameof(tableName));
        }

        return new SqliteTableClient(tableName, _database, _time);
    }

    public void Dispose() => _database.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool IsValidTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
