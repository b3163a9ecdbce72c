using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// One read statement prepared once on an open connection and run many times, straight on SQLite's C API: bind
/// by name, step, read columns (blobs as spans over SQLite's own buffer), reset. The calls made per row go through
/// <see cref="SqliteNative"/> on the statement's address; the handle keeps owning it until <see cref="Dispose"/>. It belongs to one
/// <see cref="SqliteDatabase"/> read session and is used by one read at a time.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly nint _handle;
    private readonly Dictionary<string, int> _parameters = new(StringComparer.Ordinal);

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement));
        _handle = _statement.DangerousGetHandle();
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
            Check(value is null
                ? SqliteNative.sqlite3_bind_null(_handle, index)
                : SqliteNative.sqlite3_bind_text16(_handle, index, value, value.Length * sizeof(char), SqliteNative.Transient));
        }
    }

    /// <summary>Steps to the next row: true when there is one. The caller resets when done (<see cref="Reset"/>).</summary>
    public bool Step() => SqliteNative.sqlite3_step(_handle) switch
    {
        raw.SQLITE_ROW => true,
        raw.SQLITE_DONE => false,
        var code => throw Error(code),
    };

    public string Text(int column) => Encoding.UTF8.GetString(Bytes(column));

    public long Int64(int column) => SqliteNative.sqlite3_column_int64(_handle, column);

    /// <summary>The column's bytes (UTF-8 for text), valid until the next step or reset.</summary>
    public unsafe ReadOnlySpan<byte> Bytes(int column)
    {
        // The pointer first, then the length, as SQLite asks: asking for the pointer may convert the value.
        var bytes = SqliteNative.sqlite3_column_blob(_handle, column);
        return bytes == 0 ? [] : new ReadOnlySpan<byte>((void*)bytes, SqliteNative.sqlite3_column_bytes(_handle, column));
    }

    /// <summary>
    /// Ends the run (and with it any read transaction of its own) so the statement can run again. SQLite answers with
    /// the last step's error, which <see cref="Step"/> has reported already.
    /// </summary>
    public void Reset() => _ = SqliteNative.sqlite3_reset(_handle);

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
