using System.Collections.Concurrent;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Persistence;

/// <summary>
/// Values already parsed from stored rows, by row and the ETag they were read at. Every read still goes to
/// storage, and every decision is made from what that read returned; only when a row comes back at an ETag seen
/// before — the same version of the row — is its parsed value reused instead of being parsed again. The values
/// must be immutable. Holds documents of up to <see cref="MaxChars"/> characters in all, then starts afresh.
/// </summary>
public sealed class ParsedDocuments<T>(Func<TableEntity, T> parse)
    where T : class
{
    public const long MaxChars = 4_000_000;

    private readonly ConcurrentDictionary<(string PartitionKey, string RowKey), (ETag ETag, T Value)> _parsed = new();
    private long _chars;

    public T Get(TableEntity entity)
    {
        var key = (entity.PartitionKey, entity.RowKey);
        if (_parsed.TryGetValue(key, out var known) && known.ETag == entity.ETag)
        {
            return known.Value;
        }

        var value = parse(entity);
        if (entity.ETag.IsAny)
        {
            return value;
        }

        var length = Documents.Length(entity);
        if (Interlocked.Add(ref _chars, length) > MaxChars)
        {
            _parsed.Clear();
            Interlocked.Exchange(ref _chars, length);
        }

        _parsed[key] = (entity.ETag, value);
        return value;
    }
}
