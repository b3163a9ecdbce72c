using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Http;

/// <summary>The list shape of API.md.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

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

    public static ProblemHttpResult InvalidToken()
    {
        var validation = new Validation();
        validation.Add("continuationToken", "Not a continuation token this list issued.");
        return validation.Problem!;
    }

    public static bool ValidToken(string? token) =>
        token is null || (token.Length <= 1024 && !token.Any(char.IsControl));

    /// <summary>Pages an in-memory list ordered by a unique key; the token is the last key of the page.</summary>
    public static Page<TOut> InMemory<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, string> key, int pageSize, string? token, Func<TIn, TOut> map)
    {
        var ordered = source.OrderBy(key, StringComparer.Ordinal).Where(x => token is null || string.CompareOrdinal(key(x), token) > 0).Take(pageSize + 1).ToList();
        var more = ordered.Count > pageSize;
        var items = ordered.Take(pageSize).ToList();
        return new Page<TOut>(items.Select(map).ToList(), more ? key(items[^1]) : null);
    }
}
