namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// One row of a table: partition key, row key, ETag and typed properties. Property values are limited to the
/// types Azure Table Storage knows: string, int, long, double, bool, DateTimeOffset, Guid and byte[].
/// </summary>
public sealed class TableEntity
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; }

    public string RowKey { get; }

    /// <summary>The ETag read with the entity; <see cref="ETag.Any"/> for a new one.</summary>
    public ETag ETag { get; set; } = ETag.Any;

    public DateTimeOffset? Timestamp { get; set; }

    public IReadOnlyDictionary<string, object> Properties => _properties;

    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            if (value is null)
            {
                _properties.Remove(name);
                return;
            }

            if (!TablePropertyTypes.IsSupported(value.GetType()))
            {
                throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType()}.", nameof(value));
            }

            _properties[name] = value;
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
