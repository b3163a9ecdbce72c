namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// One table. Shaped like Azure.Data.Tables' TableClient so that swapping it in later is a one-file change.
/// Implementations: <c>SqliteTableClient</c> (embedded default) and <c>AzureTableClient</c> (REST).
/// </summary>
public interface ITableClient
{
    string Name { get; }

    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>A point read; null when the entity does not exist.</summary>
    Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default);

    Task<TableWriteResult> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default);

    /// <summary>The mode is always the caller's choice: Azure.Data.Tables defaults to Merge, where a default of Replace would hide the difference.</summary>
    Task<TableWriteResult> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default);

    Task<TableWriteResult> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default);

    Task<TableWriteResult> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default);

    Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken = default);

    /// <summary>All or nothing: at most 100 actions, all in one partition of this table.</summary>
    Task<TableTransactionResult> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default);
}

/// <summary>The storage account: hands out table clients.</summary>
public interface ITableServiceClient
{
    ITableClient GetTableClient(string tableName);
}
