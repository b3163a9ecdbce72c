namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// Tells a write's own success from a conflict. A remote store's client retries a write whose answer was lost; when
/// the first attempt was applied, the retry meets that very write: 409 for an insert, 412 for an update under the ETag
/// the write itself replaced. So every write stamps its rows with a fresh write id (<see cref="WriteIdProperty"/>,
/// the same on every retry of that write), and a write that fails with 409 or 412 re-reads its rows: when they carry
/// this write's id, the write was applied and succeeds with the ETags read; otherwise another writer got there first
/// and the conflict stands. A delete has nothing to stamp: a retried delete answers 404, which callers already read
/// as "gone". On SQLite no answer is lost, so the re-read never finds its own id; the stamp costs one short property.
/// </summary>
public sealed class OwnWriteTableClient(ITableClient inner) : ITableClient
{
    public const string WriteIdProperty = "WriteId";

    public string Name => inner.Name;

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => inner.CreateIfNotExistsAsync(cancellationToken);

    public Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default) =>
        inner.GetEntityIfExistsAsync(partitionKey, rowKey, cancellationToken);

    public Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    public async Task<TableWriteResult> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var writeId = Stamp(entity);
        var result = await inner.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        return result.Status == TableWriteStatus.AlreadyExists ? await ConfirmAsync(entity, writeId, result, cancellationToken).ConfigureAwait(false) : result;
    }

    public async Task<TableWriteResult> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var writeId = Stamp(entity);
        var result = await inner.UpdateEntityAsync(entity, ifMatch, mode, cancellationToken).ConfigureAwait(false);
        return result.Status == TableWriteStatus.PreconditionFailed ? await ConfirmAsync(entity, writeId, result, cancellationToken).ConfigureAwait(false) : result;
    }

    public Task<TableWriteResult> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entity);
        Stamp(entity);
        return inner.UpsertEntityAsync(entity, mode, cancellationToken);
    }

    public Task<TableWriteResult> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default) =>
        inner.DeleteEntityAsync(partitionKey, rowKey, ifMatch, cancellationToken);

    public async Task<TableTransactionResult> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var writeId = NewWriteId();
        foreach (var action in actions.Where(a => a.ActionType != TableTransactionActionType.Delete))
        {
            action.Entity[WriteIdProperty] = writeId;
        }

        var result = await inner.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded || result.FailedStatus is not (TableWriteStatus.AlreadyExists or TableWriteStatus.PreconditionFailed or TableWriteStatus.NotFound) ||
            actions.FirstOrDefault(a => a.ActionType != TableTransactionActionType.Delete) is not { } written)
        {
            return result;
        }

        // A transaction is all or nothing: one row with this write's id means every action was applied.
        if (await ReadIfOwnAsync(written.Entity, writeId, cancellationToken).ConfigureAwait(false) is not { } own)
        {
            return result;
        }

        var etags = new List<ETag>(actions.Count);
        foreach (var action in actions)
        {
            etags.Add(action.ActionType == TableTransactionActionType.Delete ? default
                : ReferenceEquals(action, written) ? own.ETag
                : (await inner.GetEntityIfExistsAsync(action.Entity.PartitionKey, action.Entity.RowKey, cancellationToken).ConfigureAwait(false))?.ETag ?? default);
        }

        return TableTransactionResult.Ok(etags);
    }

    private static string NewWriteId() => Guid.NewGuid().ToString("N");

    private static string Stamp(TableEntity entity)
    {
        var writeId = NewWriteId();
        entity[WriteIdProperty] = writeId;
        return writeId;
    }

    private async Task<TableWriteResult> ConfirmAsync(TableEntity entity, string writeId, TableWriteResult failure, CancellationToken cancellationToken) =>
        await ReadIfOwnAsync(entity, writeId, cancellationToken).ConfigureAwait(false) is { } stored ? TableWriteResult.Ok(stored.ETag) : failure;

    /// <summary>The stored row when this write put it there, else null.</summary>
    private async Task<TableEntity?> ReadIfOwnAsync(TableEntity entity, string writeId, CancellationToken cancellationToken)
    {
        var stored = await inner.GetEntityIfExistsAsync(entity.PartitionKey, entity.RowKey, cancellationToken).ConfigureAwait(false);
        return stored?.GetString(WriteIdProperty) == writeId ? stored : null;
    }
}

/// <summary>Hands out <see cref="OwnWriteTableClient"/>s over another store's tables.</summary>
public sealed class OwnWriteTableServiceClient(ITableServiceClient inner) : ITableServiceClient
{
    public ITableClient GetTableClient(string tableName) => new OwnWriteTableClient(inner.GetTableClient(tableName));
}
