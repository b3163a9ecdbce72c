using System.Runtime.CompilerServices;

namespace ConnectedAccounts.Storage.Tables;

public static class TableClientExtensions
{
    /// <summary>
    /// Every row the query matches, page after page until the store hands back no continuation token. Pages are
    /// fetched as the caller iterates, so a caller may change rows it has already seen.
    /// </summary>
    public static async IAsyncEnumerable<TableEntity> QueryAllAsync(
        this ITableClient table, TableQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        var page = query;
        while (true)
        {
            var result = await table.QueryAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var entity in result.Items)
            {
                yield return entity;
            }

            if (result.ContinuationToken is null)
            {
                yield break;
            }

            page = query with { ContinuationToken = result.ContinuationToken };
        }
    }
}
