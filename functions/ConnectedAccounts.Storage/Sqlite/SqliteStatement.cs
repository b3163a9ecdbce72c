using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One read statement prepared once on an open connection and run many times, straight on SQLite's C API: bind
/// by name, step, read columns (blobs as spans over SQLite's own buffer), reset. It belongs to one
/// <see cref="SqliteDatabase"/> read session and is used by one read at a time.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _parameters = new(StringComparer.Ordinal);

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement));
        for (var i = 1; i <= raw.sqlite3_bind_parameter_count(_statement); i++)
        {
            _parameters[raw.sqlite3_bind_parameter_name(_statement, i).utf8_to_string()] = i;
        }
    }

    /// <summary>Binds a parameter the statement names; a name it does not use is ignored.</summary>
    public void Bind(string name, string? value)
    {
        if (_parameters.TryGetValue(name, out var index))
        {
            Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));
        }
    }

    /// <summary>Steps to the next row: true when there is one. The caller resets when done (<see cref="Reset"/>).</summary>
    public bool Step() => raw.sqlite3_step(_statement) switch
    {
        raw.SQLITE_ROW => true,
        raw.SQLITE_DONE => false,
        var code => throw Error(code),
    };

    public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>The column's bytes (UTF-8 for text), valid until the next step or reset.</summary>
    public ReadOnlySpan<byte> Bytes(int column) => raw.sqlite3_column_blob(_statement, column);

    /// <summary>Ends the run (and with it the read transaction) so the statement can run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public void Dispose() => raw.sqlite3_finalize(_statement);

    private void Check(int code)
    {
        if (code != raw.SQLITE_OK)
        {
            throw Error(code);
        }
    }

    private SqliteException Error(int code) => new(raw.sqlite3_errmsg(_db).utf8_to_string(), code);
}
