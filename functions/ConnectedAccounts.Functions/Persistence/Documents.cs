using System.Text.Json.Serialization.Metadata;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Persistence;

/// <summary>
/// Stores a JSON document in a row. A string property holds at most 64 KiB in Table Storage, so a long document
/// is split over <c>Doc</c>, <c>Doc1</c>, <c>Doc2</c>… (a row holds 1 MiB in all).
/// </summary>
public static class Documents
{
    private const int ChunkChars = 30_000;
    private const string Property = "Doc";

    public static TableEntity ToEntity<T>(string partitionKey, string rowKey, string kind, T value, JsonTypeInfo<T> typeInfo)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(value, typeInfo);
        var entity = new TableEntity(partitionKey, rowKey) { ["Kind"] = kind };
        for (int i = 0, chunk = 0; i < json.Length || chunk == 0; i += ChunkChars, chunk++)
        {
            entity[chunk == 0 ? Property : Property + chunk] = json.Substring(i, Math.Min(ChunkChars, json.Length - i));
        }

        return entity;
    }

    /// <summary>The document's length in characters, over all its chunks.</summary>
    public static long Length(TableEntity entity) => Chunks(entity).Sum(chunk => (long)chunk.Length);

    public static T FromEntity<T>(TableEntity entity, JsonTypeInfo<T> typeInfo)
    {
        var first = entity.GetString(Property) ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} has no document.");
        var json = entity.GetString(Property + 1) is null ? first : string.Concat(Chunks(entity));
        return System.Text.Json.JsonSerializer.Deserialize(json, typeInfo)
            ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} holds a null document.");
    }

    private static IEnumerable<string> Chunks(TableEntity entity)
    {
        for (var chunk = 0; entity.GetString(chunk == 0 ? Property : Property + chunk) is { } text; chunk++)
        {
            yield return text;
        }
    }
}

/// <summary>A value read from storage with the ETag it was read at.</summary>
public sealed record Stored<T>(T Value, ETag ETag);
