using Microsoft.Data.Sqlite;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One SQLite file opened the way both embedded stores need it: WAL so readers never wait for the writer, a busy
/// timeout so other processes (or other client instances) on the same file queue up instead of failing, and a
/// connection per operation from Microsoft.Data.Sqlite's pool, which is safe for concurrent async callers.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _connectionString;

    // Writers inside this process take turns here rather than spinning on SQLITE_BUSY; SQLite's own locking still
    // orders writers from other instances and processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteDatabase(string databasePath, string schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        if (Path.GetDirectoryName(fullPath) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();

        using var connection = Open();
        using var command = connection.CreateCommand();
        // journal_mode is stored in the file; setting it once is enough for every later connection.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
        command.CommandText = schema;
        command.ExecuteNonQuery();
    }

    /// <summary>A connection for one operation; each operation (statement or transaction) counts as one storage request.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        StorageRequestCounter.Increment();
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            Configure(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction (the write lock is taken up front, so a
    /// read-then-write never fails on a stale snapshot). It commits when <paramref name="commit"/> says so for the
    /// result and rolls back otherwise — and on any exception.
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, Task<T>> work,
        Func<T, bool> commit,
        CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            if (commit(result))
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the file can be moved, deleted or reopened.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    private static void Configure(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
    }
}
