using System.Collections.Concurrent;
using System.Text;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// The stored bytes of rows read before, by row and ETag. A row at an ETag already seen is the same version of the
/// row, so a read reuses its ETag and property bytes instead of copying them out of SQLite again; any other ETag
/// is copied and remembered in its place. Holds up to <see cref="MaxBytes"/> of properties, then starts afresh.
/// The bytes are never written to.
/// </summary>
internal sealed class SqliteRowVersions
{
    public const long MaxBytes = 16 * 1024 * 1024;

    private readonly ConcurrentDictionary<(string Table, string PartitionKey, string RowKey), (string ETag, byte[] Properties)> _rows = new();
    private long _bytes;

    public (string ETag, byte[] Properties) Read(string table, string partitionKey, string rowKey, ReadOnlySpan<byte> etag, ReadOnlySpan<byte> properties)
    {
        var key = (table, partitionKey, rowKey);
        if (_rows.TryGetValue(key, out var known) && Ascii.Equals(etag, known.ETag))
        {
            return known;
        }

        var row = (Encoding.UTF8.GetString(etag), properties.ToArray());
        if (Interlocked.Add(ref _bytes, properties.Length) > MaxBytes)
        {
            _rows.Clear();
            Interlocked.Exchange(ref _bytes, properties.Length);
        }

        _rows[key] = row;
        return row;
    }
}
