using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// Writes each instance of an immutable record as JSON once, with <paramref name="inner"/>, and repeats those bytes
/// whenever the same instance is written again. Keyed by the instance itself: a changed record is a new instance,
/// and the bytes go when the instance goes.
/// </summary>
public sealed class WrittenOnceConverter<T>(JsonTypeInfo<T> inner) : JsonConverter<T>
    where T : class
{
    private readonly ConditionalWeakTable<T, byte[]> _written = [];
    private readonly ConditionalWeakTable<T, byte[]>.CreateValueCallback _write = value => JsonSerializer.SerializeToUtf8Bytes(value, inner);

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, inner);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        var json = _written.GetValue(value, _write);
        writer.WriteRawValue(json, skipInputValidation: true);
    }
}
