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

    public static Dictionary<string, object> Read(string json)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        Read(Encoding.UTF8.GetBytes(json), select: null, properties);
        return properties;
    }

    /// <summary>
    /// Adds the stored properties to <paramref name="properties"/>; with <paramref name="select"/> only the named
    /// ones. One forward pass over the UTF-8 text: no document tree, and a value is decoded only once its tag is
    /// known (in either order of "t" and "v").
    /// </summary>
    public static void Read(ReadOnlySpan<byte> utf8Json, IReadOnlyList<string>? select, Dictionary<string, object> properties)
    {
        var reader = new Utf8JsonReader(utf8Json);
        Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject);
            if (select is not null && !select.Contains(name, StringComparer.Ordinal))
            {
                reader.Skip();
                continue;
            }

            Utf8JsonReader tag = default, value = default;
            bool hasTag = false, hasValue = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTag = reader.ValueTextEquals("t"u8);
                var isValue = !isTag && reader.ValueTextEquals("v"u8);
                Expect(reader.Read());
                if (isTag)
                {
                    tag = reader;
                    hasTag = true;
                }
                else if (isValue)
                {
                    value = reader;
                    hasValue = true;
                }

                reader.Skip();
            }

            Expect(hasTag && hasValue && tag.TokenType == JsonTokenType.String);
            properties[name] = Decode(name, ref tag, ref value);
        }
    }

    private static object Decode(string name, ref Utf8JsonReader tag, ref Utf8JsonReader value)
    {
        if (tag.ValueTextEquals("String"u8))
        {
            return value.GetString()!;
        }

        if (tag.ValueTextEquals("Int32"u8))
        {
            return value.GetInt32();
        }

        if (tag.ValueTextEquals("Int64"u8))
        {
            return long.Parse(value.GetString()!, CultureInfo.InvariantCulture);
        }

        if (tag.ValueTextEquals("Double"u8))
        {
            return double.Parse(value.GetString()!, CultureInfo.InvariantCulture);
        }

        if (tag.ValueTextEquals("Boolean"u8))
        {
            return value.GetBoolean();
        }

        if (tag.ValueTextEquals("DateTime"u8))
        {
            return new DateTimeOffset(long.Parse(value.GetString()!, CultureInfo.InvariantCulture), TimeSpan.Zero);
        }

        if (tag.ValueTextEquals("Guid"u8))
        {
            return Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture);
        }

        if (tag.ValueTextEquals("Binary"u8))
        {
            return value.GetBytesFromBase64();
        }

        throw new InvalidDataException($"Stored property '{name}' has unknown type tag '{tag.GetString()}'.");
    }

    private static void Expect(bool condition)
    {
        if (!condition)
        {
            throw new InvalidDataException("A stored property bag is not in the expected shape.");
        }
    }
}
