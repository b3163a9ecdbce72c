using System.Runtime.InteropServices;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// The few SQLite calls a read makes per row, bound directly on the handle's address. SQLitePCL's bindings take the
/// handle as a SafeHandle, which adds a reference count round trip to every call; a read makes about a hundred calls
/// per page of rows. The library is the one SQLitePCL loads (e_sqlite3, shipped with Microsoft.Data.Sqlite); the
/// statement's SafeHandle still owns its lifetime (<see cref="SqliteStatement"/>).
/// </summary>
internal static partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the bound value before the call returns.</summary>
    public static readonly nint Transient = -1;

    [LibraryImport(Library)]
    public static partial int sqlite3_step(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_reset(nint statement);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf16)]
    public static partial int sqlite3_bind_text16(nint statement, int index, string value, int bytes, nint destructor);

    [LibraryImport(Library)]
    public static partial int sqlite3_bind_null(nint statement, int index);

    [LibraryImport(Library)]
    public static partial nint sqlite3_column_blob(nint statement, int column);

    [LibraryImport(Library)]
    public static partial int sqlite3_column_bytes(nint statement, int column);

    [LibraryImport(Library)]
    public static partial long sqlite3_column_int64(nint statement, int column);
}
