using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Http;

/// <summary>The list shape of API.md.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Rows a filtered list reads per storage page after its first, which reads one page's worth.</summary>
    public const int ScanPageSize = 1000;

    /// <summary>Storage pages one call of a filtered list reads at most before it answers with what it has.</summary>
    public const int MaxScanPages = 5;

    /// <summary>Validates a list's <c>?pageSize=</c> and <c>?continuationToken=</c>; <paramref name="size"/> is the page size to use.</summary>
    public static Validation ListQuery(int? pageSize, string? continuationToken, out int size)
    {
        var validation = new Validation();
        size = ListQuery(pageSize, continuationToken, validation);
        return validation;
    }

    /// <summary>The same, adding its problems to a list's other checks; the page size to use (0 when invalid).</summary>
    public static int ListQuery(int? pageSize, string? continuationToken, Validation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var size = PageSize(pageSize, validation) ?? 0;
        if (!ValidToken(continuationToken))
        {
            validation.Add("continuationToken", "Not a valid continuation token.");
        }

        return size;
    }

    /// <summary>Validates <c>?pageSize=</c>; null with a problem when it is out of range.</summary>
    public static int? PageSize(int? requested, Validation validation)
    {
        if (requested is null)
        {
            return DefaultPageSize;
        }

        if (requested is < 1 or > MaxPageSize)
        {
            validation.Add("pageSize", $"Between 1 and {MaxPageSize}.");
            return null;
        }

        return requested;
    }

    /// <summary>
    /// Runs a query whose continuation token came from a client. Null when the store refuses the token as one it
    /// did not issue: a client's mistake, answered with <see cref="InvalidToken"/> rather than a 500.
    /// </summary>
    public static async Task<TablePage?> QueryClientPageAsync(this ITableClient table, TableQuery query, CancellationToken cancellationToken)
    {
        try
        {
            return await table.QueryAsync(query, cancellationToken);
        }
        catch (ArgumentException ex) when (query.ContinuationToken is not null && ex is not ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// A page of the rows under <paramref name="prefix"/> that <paramref name="keep"/> maps to an item, filled up to
    /// <paramref name="pageSize"/> however sparse the matches are (at most <see cref="MaxScanPages"/> storage reads;
    /// the page is short only when they ran out). The token is the row key of the last row looked at, so the next
    /// call resumes right after it; null once the rows are exhausted, and null for a token this list did not issue.
    /// <paramref name="rowKeyTo"/>, when given, ends the range before the prefix does.
    /// </summary>
    public static async Task<Page<TOut>?> QueryFilteredPageAsync<TOut>(
        this ITableClient table, string partitionKey, string prefix, int pageSize, string? token,
        Func<TableEntity, TOut?> keep, CancellationToken cancellationToken, string? rowKeyTo = null)
        where TOut : class
    {
        if (token is not null && (!token.StartsWith(prefix, StringComparison.Ordinal) || !TableKeys.IsValid(token)))
        {
            return null;
        }

        var (_, end) = TableFilter.RowKeyRange(new TableQuery { PartitionKey = partitionKey, RowKeyPrefix = prefix });

        // Keys hold no control characters, so the least key after the token is the token and a space.
        var query = new TableQuery { PartitionKey = partitionKey, RowKeyFrom = token is null ? prefix : token + " ", RowKeyTo = rowKeyTo ?? end, Top = pageSize };
        var items = new List<TOut>(pageSize);
        var lastLookedAt = token;
        for (var read = 0; read < MaxScanPages; read++)
        {
            var page = await table.QueryAsync(query, cancellationToken);
            for (var i = 0; i < page.Items.Count; i++)
            {
                lastLookedAt = page.Items[i].RowKey;
                if (keep(page.Items[i]) is not { } item)
                {
                    continue;
                }

                items.Add(item);
                if (items.Count == pageSize)
                {
                    var more = i < page.Items.Count - 1 || page.ContinuationToken is not null;
                    return new Page<TOut>(items, more ? lastLookedAt : null);
                }
            }

            if (page.ContinuationToken is null)
            {
                return new Page<TOut>(items, null);
            }

            query = query with { ContinuationToken = page.ContinuationToken, Top = ScanPageSize };
        }

        return new Page<TOut>(items, lastLookedAt ?? prefix);
    }

    public static ProblemHttpResult InvalidToken()
    {
        var validation = new Validation();
        validation.Add("continuationToken", "Not a continuation token this list issued.");
        return validation.Problem!;
    }

    public static bool ValidToken(string? token) =>
        token is null || (token.Length <= 1024 && !token.Any(char.IsControl));

    /// <summary>Marks the tokens of in-memory lists, so one the list did not issue is told apart from a key.</summary>
    private const string KeyTokenPrefix = "key.";

    /// <summary>
    /// Pages an in-memory list ordered by a unique key; the token is the last key of the page, encoded. Null for a
    /// token this kind of list did not issue, answered with <see cref="InvalidToken"/> like every other list.
    /// </summary>
    public static Page<TOut>? InMemory<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, string> key, int pageSize, string? token, Func<TIn, TOut> map)
    {
        string? after = null;
        if (token is not null && !TryReadKeyToken(token, out after))
        {
            return null;
        }

        var ordered = source.OrderBy(key, StringComparer.Ordinal).Where(x => after is null || string.CompareOrdinal(key(x), after) > 0).Take(pageSize + 1).ToList();
        var more = ordered.Count > pageSize;
        var items = ordered.Take(pageSize).ToList();
        return new Page<TOut>(items.Select(map).ToList(), more ? KeyTokenPrefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key(items[^1]))) : null);
    }

    private static bool TryReadKeyToken(string token, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if (!token.StartsWith(KeyTokenPrefix, StringComparison.Ordinal) || !Base64Url.IsValid(token.AsSpan(KeyTokenPrefix.Length)))
        {
            return false;
        }

        try
        {
            key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token.AsSpan(KeyTokenPrefix.Length)));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
