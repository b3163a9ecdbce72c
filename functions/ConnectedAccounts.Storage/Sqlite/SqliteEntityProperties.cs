using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Storage.Sqlite;

/// <summary>
/// Entity properties as JSON with a type tag per value (<c>{"Name":{"t":"Int64","v":"4294967296"}}</c>), so every
/// Table Storage type reads back as the exact CLR type it was written as. Numbers that JSON cannot carry exactly
/// (long beyond 2^53 for other readers, NaN and infinities) are written as invariant text.
/// </summary>
internal static class SqliteEntityProperties
{
    public static string Serialize(IReadOnlyDictionary<string, object> properties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WriteStartObject(name);
                switch (value)
                {
                    case string s:
                        writer.WriteString("t", "String");
                        writer.WriteString("v", s);
                        break;
                    case int i:
                        writer.WriteString("t", "Int32");
                        writer.WriteNumber("v", i);
                        break;
                    case long l:
                        writer.WriteString("t", "Int64");
                        writer.WriteString("v", l.ToString(CultureInfo.InvariantCulture));
                        break;
                    case double d:
                        writer.WriteString("t", "Double");
                        writer.WriteString("v", d.ToString("R", CultureInfo.InvariantCulture));
                        break;
                    case bool b:
                        writer.WriteString("t", "Boolean");
                        writer.WriteBoolean("v", b);
                        break;
                    case DateTimeOffset t:
                        writer.WriteString("t", "DateTime");
                        writer.WriteString("v", t.UtcTicks.ToString(CultureInfo.InvariantCulture));
                        break;
                    case Guid g:
                        writer.WriteString("t", "Guid");
                        writer.WriteString("v", g.ToString("D"));
                        break;
                    case byte[] bytes:
                        writer.WriteString("t", "Binary");
                        writer.WriteBase64String("v", bytes);
                        break;
                    default:
                        throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType()}.", nameof(properties));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Fills <paramref name="entity"/>; with <paramref name="select"/> only the named properties.</summary>
    public static void Deserialize(string json, TableEntity entity, IReadOnlyList<string>? select = null) =>
        Read(json, select, (name, value) => entity[name] = value);

    public static Dictionary<string, object> Read(string json)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        Read(json, select: null, (name, value) => properties[name] = value);
        return properties;
    }

    private static void Read(string json, IReadOnlyList<string>? select, Action<string, object> set)
    {
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (select is not null && !select.Contains(property.Name, StringComparer.Ordinal))
            {
                continue;
            }

            var value = property.Value.GetProperty("v");
            set(property.Name, property.Value.GetProperty("t").GetString() switch
            {
                "String" => value.GetString()!,
                "Int32" => value.GetInt32(),
                "Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                "Double" => double.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                "Boolean" => value.GetBoolean(),
                "DateTime" => new DateTimeOffset(long.Parse(value.GetString()!, CultureInfo.InvariantCulture), TimeSpan.Zero),
                "Guid" => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                "Binary" => value.GetBytesFromBase64(),
                var tag => throw new InvalidDataException($"Stored property '{property.Name}' has unknown type tag '{tag}'."),
            });
        }
    }
}
