using ConnectedAccounts.Storage.Tables;
using global::Azure;
using Sdk = global::Azure.Data.Tables;
using ETag = ConnectedAccounts.Storage.Tables.ETag;
using TableEntity = ConnectedAccounts.Storage.Tables.TableEntity;
using TableTransactionAction = ConnectedAccounts.Storage.Tables.TableTransactionAction;
using TableUpdateMode = ConnectedAccounts.Storage.Tables.TableUpdateMode;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// One table through Azure.Data.Tables' <see cref="Sdk.TableClient"/>. The SDK throws for a 409, 412 or a failed
/// transaction; here they are results, as on every <see cref="ITableClient"/>. What neither Azurite nor the SDK
/// checks is checked before sending (<see cref="TableBatchLimits"/>), and a query's <c>select</c> always brings the keys.
/// </summary>
public sealed class AzureTableClient(Sdk.TableClient table) : ITableClient
{
    public string Name => table.Name;

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the table and everything in it; false when there was no such table.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default) =>
        (await table.DeleteAsync(cancellationToken).ConfigureAwait(false)).Status != 404;

    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        TableKeys.Require(partitionKey, nameof(partitionKey));
        TableKeys.Require(rowKey, nameof(rowKey));
        var found = await table.GetEntityIfExistsAsync<Sdk.TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? AzureEntities.FromSdk(found.Value!) : null;
    }

    public async Task<TableWriteResult> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        var sdk = AzureEntities.ToSdk(entity);
        try
        {
            return Written(await table.AddEntityAsync(sdk, cancellationToken).ConfigureAwait(false));
        }
        catch (RequestFailedException e) when (WriteFailure(e.Status, e.ErrorCode) is { } failure)
        {
            return failure;
        }
    }

    public async Task<TableWriteResult> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        var sdk = AzureEntities.ToSdk(entity);
        try
        {
            return Written(await table.UpdateEntityAsync(sdk, AzureEntities.ToSdk(RequireETag(ifMatch)), AzureEntities.ToSdk(mode), cancellationToken).ConfigureAwait(false));
        }
        catch (RequestFailedException e) when (WriteFailure(e.Status, e.ErrorCode) is { } failure)
        {
            return failure;
        }
    }

    public async Task<TableWriteResult> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default) =>
        Written(await table.UpsertEntityAsync(AzureEntities.ToSdk(entity), AzureEntities.ToSdk(mode), cancellationToken).ConfigureAwait(false));

    public async Task<TableWriteResult> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        TableKeys.Require(partitionKey, nameof(partitionKey));
        TableKeys.Require(rowKey, nameof(rowKey));
        try
        {
            // The SDK answers a missing entity with its 404 response instead of throwing.
            var response = await table.DeleteEntityAsync(partitionKey, rowKey, AzureEntities.ToSdk(RequireETag(ifMatch)), cancellationToken).ConfigureAwait(false);
            return response.Status == 404 ? TableWriteResult.Failed(TableWriteStatus.NotFound) : TableWriteResult.Ok(default);
        }
        catch (RequestFailedException e) when (WriteFailure(e.Status, e.ErrorCode) is { } failure)
        {
            return failure;
        }
    }

    public async Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        TableKeys.Require(query.PartitionKey, nameof(query));
        if (query.Top is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Top, "Top must be between 1 and 1000.");
        }

        // The SDK returns only the selected properties; a TableEntity needs its keys too.
        var select = query.Select?.Concat(["PartitionKey", "RowKey"]).Distinct(StringComparer.Ordinal).ToList();
        var pages = table.QueryAsync<Sdk.TableEntity>(TableFilter.ForQuery(query), query.Top, select, cancellationToken)
            .AsPages(query.ContinuationToken, query.Top);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return new TablePage(page.Values.Select(AzureEntities.FromSdk).ToList(), string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return new TablePage([], null);
    }

    public async Task<TableTransactionResult> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableBatchLimits.Check(actions);
        try
        {
            var responses = (await table.SubmitTransactionAsync(actions.Select(AzureEntities.ToSdk), cancellationToken).ConfigureAwait(false)).Value;
            return TableTransactionResult.Ok(responses.Select(ETagOf).ToList());
        }
        catch (Sdk.TableTransactionFailedException e) when (WriteFailure(e.Status, e.ErrorCode) is { } failure)
        {
            return TableTransactionResult.Failed(e.FailedTransactionActionIndex ?? 0, failure.Status);
        }
    }

    private static TableWriteResult Written(Response response) => TableWriteResult.Ok(ETagOf(response));

    private static ETag ETagOf(Response response) => response.Headers.ETag is { } etag ? new ETag(etag.ToString()) : default;

    /// <summary>The expected outcomes of a write; anything else stays the SDK's exception.</summary>
    private static TableWriteResult? WriteFailure(int status, string? errorCode) => (status, errorCode) switch
    {
        (404, _) => TableWriteResult.Failed(TableWriteStatus.NotFound),
        (409, "EntityAlreadyExists") => TableWriteResult.Failed(TableWriteStatus.AlreadyExists),
        (412, _) => TableWriteResult.Failed(TableWriteStatus.PreconditionFailed),
        _ => null,
    };

    private static ETag RequireETag(ETag etag) =>
        string.IsNullOrEmpty(etag.Value) ? throw new ArgumentException("An ETag (or ETag.Any) is required.", nameof(etag)) : etag;
}
