using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One SQLite file opened the way both embedded stores need it: WAL so readers never wait for the writer, a busy
/// timeout so other processes (or other client instances) on the same file queue up instead of failing. Reads run
/// on connections kept open with their statements prepared (<see cref="ReadAsync{T}"/>); writes take a connection
/// per transaction from Microsoft.Data.Sqlite's pool.
/// </summary>
internal sealed class SqliteDatabase : IDisposable
{
    private const int BusyTimeoutMilliseconds = 30_000;

    // Idle readers kept beyond this many are closed; a burst of concurrent reads opens what it needs.
    private const int MaxIdleReaders = 32;

    private readonly string _path;
    private readonly string _connectionString;

    // Writers inside this process take turns here rather than spinning on SQLITE_BUSY; SQLite's own locking still
    // orders writers from other instances and processes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private readonly ConcurrentBag<ReadSession> _idleReaders = [];

    private volatile bool _disposed;

    /// <summary>Rows read before, by version, so reading an unchanged row copies nothing out of SQLite.</summary>
    public SqliteRowVersions Versions { get; } = new();

    public SqliteDatabase(string databasePath, string schema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        if (Path.GetDirectoryName(fullPath) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        _path = fullPath;
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

    /// <summary>A connection for one transaction, counted as one storage request.</summary>
    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
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
    /// Runs one read statement, counted as one storage request. The connection comes from a set kept open and
    /// configured, and the statement stays prepared on it: a point read costs neither a connection set-up nor
    /// parsing SQL, only the statement's own work. <paramref name="read"/> binds the parameters, steps and reads;
    /// the statement is reset after it returns. Inside a <see cref="ReadSnapshot"/> the flow's reads share one
    /// connection and one read transaction, until the snapshot ends or the flow writes.
    /// </summary>
    public Task<T> ReadAsync<T>(string sql, Func<SqliteStatement, T> read, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        StorageRequestCounter.Increment();
        var snapshot = ReadSnapshot.Current;
        ReadSession? session = null;
        try
        {
            session = snapshot?.Take(this) as ReadSession;
            if (session is null)
            {
                session = _idleReaders.TryTake(out var idle) ? idle : new ReadSession(this, _path);
                if (snapshot is not null)
                {
                    session.BeginSnapshot();
                }
            }

            var statement = session.Statement(sql);
            T result;
            try
            {
                result = read(statement);
            }
            finally
            {
                statement.Reset();
            }

            if (snapshot is null || !snapshot.Hold(this, session))
            {
                session.End();
            }

            return Task.FromResult(result);
        }
#pragma warning disable CA1031 // The exception is the task's outcome, as it would be for an async method.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // The statement may have been left mid-step; a fresh connection is cheaper than proving it is not.
            session?.Dispose();
            return Task.FromException<T>(exception);
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
        ReadSnapshot.BeforeWrite();
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
        // Open readers and pooled connections keep the file open; release them so the file can be moved, deleted
        // or reopened. A read still running returns its connection after this and closes it then.
        _disposed = true;
        CloseIdleReaders();
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    private void Return(ReadSession session)
    {
        if (_disposed || _idleReaders.Count >= MaxIdleReaders)
        {
            session.Dispose();
            return;
        }

        _idleReaders.Add(session);
        if (_disposed)
        {
            CloseIdleReaders();
        }
    }

    private void CloseIdleReaders()
    {
        while (_idleReaders.TryTake(out var session))
        {
            session.Dispose();
        }
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

    /// <summary>
    /// A connection of its own for reads and the statements prepared on it, used by one read at a time. Opened on
    /// SQLite's C API without a connection mutex (one user at a time needs none, and SQLite would otherwise lock
    /// it around every column read) and set to refuse writes. Outside a snapshot every statement is its own read
    /// transaction; inside one, a transaction is open from <see cref="BeginSnapshot"/> until <see cref="End"/>.
    /// </summary>
    private sealed class ReadSession : IHeldRead, IDisposable
    {
        private const int Flags = raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_NOMUTEX | raw.SQLITE_OPEN_PRIVATECACHE;

        private readonly SqliteDatabase _owner;
        private readonly sqlite3 _db;
        private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);
        private bool _inSnapshot;

        public ReadSession(SqliteDatabase owner, string path)
        {
            _owner = owner;
            _db = Check(raw.sqlite3_open_v2(path, out var db, Flags, null), db);
            Check(raw.sqlite3_busy_timeout(db, BusyTimeoutMilliseconds), db);
            Check(raw.sqlite3_exec(db, "PRAGMA query_only = 1;"), db);
        }

        public SqliteStatement Statement(string sql)
        {
            if (!_statements.TryGetValue(sql, out var statement))
            {
                statement = new SqliteStatement(_db, sql);
                _statements[sql] = statement;
            }

            return statement;
        }

        /// <summary>Opens a read transaction; SQLite takes its view of the file at the first statement.</summary>
        public void BeginSnapshot()
        {
            Run("BEGIN");
            _inSnapshot = true;
        }

        /// <summary>Ends the read transaction, if one is open, and goes back to the idle set.</summary>
        public void End()
        {
            if (_inSnapshot)
            {
                try
                {
                    Run("COMMIT");
                    _inSnapshot = false;
                }
                catch (SqliteException)
                {
                    // Ending a read changes nothing stored; a connection that cannot end it is closed instead.
                    Dispose();
                    return;
                }
            }

            _owner.Return(this);
        }

        public void Dispose()
        {
            foreach (var statement in _statements.Values)
            {
                statement.Dispose();
            }

            _db.Dispose();
        }

        private void Run(string sql)
        {
            var statement = Statement(sql);
            try
            {
                statement.Step();
            }
            finally
            {
                statement.Reset();
            }
        }

        private static sqlite3 Check(int code, sqlite3 db)
        {
            if (code != raw.SQLITE_OK)
            {
                var message = raw.sqlite3_errmsg(db).utf8_to_string();
                db.Dispose();
                throw new SqliteException(message, code);
            }

            return db;
        }
    }
}
