namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// One row of a table: partition key, row key, ETag and typed properties. Property values are limited to the
/// types Azure Table Storage knows: string, int, long, double, bool, DateTimeOffset, Guid and byte[].
/// </summary>
public sealed class TableEntity
{
    private readonly Dictionary<string, object> _stored = new(StringComparer.Ordinal);
    private Action<Dictionary<string, object>>? _decode;

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>
    /// An entity as a store read it, whose properties <paramref name="decode"/> fills on their first use: a reader
    /// that needs only the keys and the ETag (say, to find a value it already parsed at that ETag) never pays for
    /// decoding them. <paramref name="decode"/> must add only values of the supported types.
    /// </summary>
    internal TableEntity(string partitionKey, string rowKey, Action<Dictionary<string, object>> decode)
        : this(partitionKey, rowKey) => _decode = decode;

    public string PartitionKey { get; }

    public string RowKey { get; }

    /// <summary>The ETag read with the entity; <see cref="ETag.Any"/> for a new one.</summary>
    public ETag ETag { get; set; } = ETag.Any;

    public DateTimeOffset? Timestamp { get; set; }

    public IReadOnlyDictionary<string, object> Properties => Stored;

    public object? this[string name]
    {
        get => Stored.GetValueOrDefault(name);
        set
        {
            if (value is null)
            {
                Stored.Remove(name);
                return;
            }

            if (!TablePropertyTypes.IsSupported(value.GetType()))
            {
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType()}.", nameof(value));
            }

            Stored[name] = value;
        }
    }

    private Dictionary<string, object> Stored
    {
        get
        {
            if (_decode is { } decode)
            {
                _decode = null;
                decode(_stored);
            }

            return _stored;
        }
    }

    public string? GetString(string name) => this[name] as string;

    public long? GetInt64(string name) => this[name] switch
    {
        long l => l,
        int i => i,
        _ => null,
    };

    public int? GetInt32(string name) => this[name] switch
    {
        int i => i,
        long l => checked((int)l),
        _ => null,
    };

    public bool? GetBoolean(string name) => this[name] as bool?;

    public double? GetDouble(string name) => this[name] as double?;

    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] as DateTimeOffset?;

    public Guid? GetGuid(string name) => this[name] as Guid?;

    public byte[]? GetBinary(string name) => this[name] as byte[];
}

public static class TablePropertyTypes
{
    public static bool IsSupported(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(double) ||
        type == typeof(bool) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(byte[]);
}
