namespace ConnectedAccounts.Storage.Tables;

/// <summary>How a single-entity write ended. Expected outcomes are values, not exceptions.</summary>
public enum TableWriteStatus
{
    Ok,
    /// <summary>Insert of an entity that already exists.</summary>
    AlreadyExists,
    /// <summary>Update or delete of an entity that does not exist.</summary>
    NotFound,
    /// <summary>The If-Match ETag no longer matches: someone else wrote first.</summary>
    PreconditionFailed,
}

public readonly record struct TableWriteResult(TableWriteStatus Status, ETag ETag)
{
    public bool Succeeded => Status == TableWriteStatus.Ok;

    public static TableWriteResult Ok(ETag etag) => new(TableWriteStatus.Ok, etag);

    public static TableWriteResult Failed(TableWriteStatus status) => new(status, default);
}

/// <summary>
/// The outcome of an entity group transaction: all operations applied (with their new ETags, in order; an empty
/// ETag for deletes) or none, with the index of the first operation that failed and why.
/// </summary>
public sealed record TableTransactionResult(
    bool Succeeded,
    IReadOnlyList<ETag> ETags,
    int FailedIndex,
    TableWriteStatus FailedStatus)
{
    public static TableTransactionResult Ok(IReadOnlyList<ETag> etags) => new(true, etags, -1, TableWriteStatus.Ok);

    public static TableTransactionResult Failed(int index, TableWriteStatus status) => new(false, [], index, status);
}

public enum TableUpdateMode
{
    /// <summary>Only the given properties change; others stay.</summary>
    Merge,
    /// <summary>The stored entity becomes exactly the given one.</summary>
    Replace,
}

public enum TableTransactionActionType
{
    Add,
    UpdateMerge,
    UpdateReplace,
    UpsertMerge,
    UpsertReplace,
    Delete,
}

/// <summary>One operation of a transaction. For updates and deletes <see cref="ETag"/> is the If-Match value.</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag)
{
    public static TableTransactionAction Add(TableEntity entity) => new(TableTransactionActionType.Add, entity, ETag.Any);

    public static TableTransactionAction Update(TableEntity entity, ETag ifMatch, TableUpdateMode mode) =>
        new(mode == TableUpdateMode.Merge ? TableTransactionActionType.UpdateMerge : TableTransactionActionType.UpdateReplace, entity, ifMatch);

    public static TableTransactionAction Upsert(TableEntity entity, TableUpdateMode mode) =>
        new(mode == TableUpdateMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace, entity, ETag.Any);

    public static TableTransactionAction Delete(string partitionKey, string rowKey, ETag ifMatch) =>
        new(TableTransactionActionType.Delete, new TableEntity(partitionKey, rowKey), ifMatch);
}

/// <summary>One page of a query and the token for the next one (null when there is none).</summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);

/// <summary>
/// A query inside one partition: every row, or the rows whose key starts with <see cref="RowKeyPrefix"/>, or the
/// rows in [<see cref="RowKeyFrom"/>, <see cref="RowKeyTo"/>). Structured, so no user-supplied text is ever
/// spliced into a filter: the Azure client builds its $filter through <see cref="TableFilter"/>.
/// </summary>
public sealed record TableQuery
{
    public required string PartitionKey { get; init; }

    public string? RowKeyPrefix { get; init; }

    public string? RowKeyFrom { get; init; }

    public string? RowKeyTo { get; init; }

    /// <summary>Maximum rows in one page (Table Storage caps a page at 1,000).</summary>
    public int? Top { get; init; }

    /// <summary>Properties to return; null for all.</summary>
    public IReadOnlyList<string>? Select { get; init; }

    public string? ContinuationToken { get; init; }
}
