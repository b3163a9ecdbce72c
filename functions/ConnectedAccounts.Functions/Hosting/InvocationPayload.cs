using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>What the Functions host POSTs to <c>/{FunctionName}</c> for a non-HTTP trigger.</summary>
public sealed record FunctionInvocationRequest(
    [property: JsonPropertyName("Data")] Dictionary<string, JsonElement>? Data,
    [property: JsonPropertyName("Metadata")] Dictionary<string, JsonElement>? Metadata);

/// <summary>The custom-handler answer. We bind no outputs; logs appear in the host's invocation log.</summary>
public sealed record FunctionInvocationResponse(
    [property: JsonPropertyName("Outputs")] Dictionary<string, string> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] string? ReturnValue);

/// <summary>The timer trigger's value as the host serializes its TimerInfo.</summary>
public sealed record TimerInfoPayload(
    [property: JsonPropertyName("IsPastDue")] bool IsPastDue,
    [property: JsonPropertyName("ScheduleStatus")] TimerScheduleStatusPayload? ScheduleStatus);

public sealed record TimerScheduleStatusPayload(
    [property: JsonPropertyName("Last")] DateTimeOffset? Last,
    [property: JsonPropertyName("Next")] DateTimeOffset? Next,
    [property: JsonPropertyName("LastUpdated")] DateTimeOffset? LastUpdated);

/// <summary>
/// Decodes the host's invocation payload. The host (azure-functions-host, ScriptInvocationContextExtensions) turns
/// every binding value that is not an object into <c>JsonConvert.SerializeObject(value)</c> — a string becomes
/// <c>"\"text\""</c>, a number <c>"5"</c>, a date <c>"\"2026-…\""</c> — and then serializes the whole payload again,
/// while object values (TimerInfo) arrive as plain JSON objects. Older hosts sent dates unencoded. Byte arrays arrive
/// as base64 unless the binding's dataType is binary. The queue extension itself base64-decodes message bodies when
/// host.json says <c>messageEncoding: base64</c>, so with our function.json (<c>dataType: string</c>) the handler sees
/// the original text and must not decode it again.
/// </summary>
public static class InvocationPayload
{
    /// <summary>The name of the trigger binding in every generated queue function.json.</summary>
    public const string QueueBindingName = "message";

    /// <summary>The name of the trigger binding in every generated timer function.json.</summary>
    public const string TimerBindingName = "timer";

    public static QueueInvocation ReadQueueInvocation(FunctionInvocationRequest request)
    {
        if (request.Data is null || !request.Data.TryGetValue(QueueBindingName, out var data))
        {
            throw new InvalidInvocationException($"Data has no '{QueueBindingName}' binding value.");
        }

        var text = DecodeQueueMessage(data);
        var metadata = request.Metadata ?? [];
        var dequeueCount = ReadInt64(metadata, "DequeueCount") ?? 1;
        if (dequeueCount < 1)
        {
            throw new InvalidInvocationException($"DequeueCount {dequeueCount} is not a delivery count.");
        }

        return new QueueInvocation(text, dequeueCount, ReadString(metadata, "Id"), ReadDate(metadata, "InsertionTime"));
    }

    public static TimerInvocation ReadTimerInvocation(FunctionInvocationRequest request)
    {
        if (request.Data is null || !request.Data.TryGetValue(TimerBindingName, out var data))
        {
            throw new InvalidInvocationException($"Data has no '{TimerBindingName}' binding value.");
        }

        // Normally an object; tolerate the string form in case a host version encodes it like a scalar.
        var json = data.ValueKind == JsonValueKind.String ? data.GetString()! : data.GetRawText();
        TimerInfoPayload? info;
        try
        {
            info = JsonSerializer.Deserialize(json, HostingJsonContext.Default.TimerInfoPayload);
        }
        catch (JsonException e)
        {
            throw new InvalidInvocationException($"The '{TimerBindingName}' value is not a TimerInfo: {e.Message}");
        }

        if (info is null)
        {
            throw new InvalidInvocationException($"The '{TimerBindingName}' value is null.");
        }

        // While a run executes the host has not advanced its status yet: Next is the occurrence being run.
        return new TimerInvocation(info.IsPastDue, info.ScheduleStatus?.Next);
    }

    /// <summary>The queue message text from its Data value: a twice-encoded string, or a raw object/array.</summary>
    public static string DecodeQueueMessage(JsonElement data) => data.ValueKind switch
    {
        JsonValueKind.String => UnwrapEncodedString(data.GetString()!),
        JsonValueKind.Object or JsonValueKind.Array => data.GetRawText(),
        _ => throw new InvalidInvocationException($"A queue message cannot be a JSON {data.ValueKind}."),
    };

    public static long? ReadInt64(IReadOnlyDictionary<string, JsonElement> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(UnwrapEncodedString(value.GetString()!), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new InvalidInvocationException($"Metadata '{key}' is not an integer: {value.GetRawText()}.");
    }

    public static string? ReadString(IReadOnlyDictionary<string, JsonElement> metadata, string key) =>
        metadata.TryGetValue(key, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => UnwrapEncodedString(value.GetString()!),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        } : null;

    public static DateTimeOffset? ReadDate(IReadOnlyDictionary<string, JsonElement> metadata, string key)
    {
        var text = ReadString(metadata, key);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : throw new InvalidInvocationException($"Metadata '{key}' is not a date: {text}.");
    }

    /// <summary>
    /// Removes the host's inner JSON encoding exactly once. A value that is not a JSON string literal is taken as is,
    /// which is what older hosts and hand-written callers send.
    /// </summary>
    public static string UnwrapEncodedString(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }

        try
        {
            return JsonSerializer.Deserialize(value, HostingJsonContext.Default.String) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }
}

/// <summary>The host sent a payload we cannot read; answered with 400 so the delivery fails and is retried.</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);
