namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// One row of a table: partition key, row key, ETag and typed properties. Property values are limited to the
/// types Azure Table Storage knows: string, int, long, double, bool, DateTimeOffset, Guid and byte[].
/// </summary>
public sealed class TableEntity
{
    private Dictionary<string, object>? _stored;
    private byte[]? _encoded;
    private IReadOnlyList<string>? _select;
    private PropertyDecoder? _decode;

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    /// <summary>
    /// An entity as a store read it, whose properties <paramref name="decode"/> reads from <paramref name="encoded"/>
    /// (only those in <paramref name="select"/>, when given) on their first use: a reader that needs only the keys
    /// and the ETag (say, to find a value it already parsed at that ETag) never pays for decoding them.
    /// </summary>
    internal TableEntity(string partitionKey, string rowKey, byte[] encoded, IReadOnlyList<string>? select, PropertyDecoder decode)
        : this(partitionKey, rowKey)
    {
        _encoded = encoded;
        _select = select;
        _decode = decode;
    }

    /// <summary>Adds the properties a store encoded to <paramref name="properties"/>: only values of the supported types.</summary>
    internal delegate void PropertyDecoder(ReadOnlySpan<byte> encoded, IReadOnlyList<string>? select, Dictionary<string, object> properties);

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
            if (_stored is null)
            {
                _stored = new Dictionary<string, object>(StringComparer.Ordinal);
                if (_decode is { } decode)
                {
                    decode(_encoded, _select, _stored);
                    (_encoded, _select, _decode) = (null, null, null);
                }
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
