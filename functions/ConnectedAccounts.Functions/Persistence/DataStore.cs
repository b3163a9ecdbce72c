using System.Text.Json;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Persistence;

/// <summary>
/// The repository of accounts and connections, written once on the table abstraction. Reads return the ETag
/// they read at; every change is a <see cref="PartitionBatch"/> that carries that ETag.
/// </summary>
/// <param name="events">Integration events, when configured: entries about accounts, members and connections are published.</param>
public sealed class DataStore(ITableServiceClient tables, OutboxRelay relay, TimeProvider time, ActivityDays days, IntegrationEvents? events = null)
{
    private readonly ParsedDocuments<AccountSnapshot> _accounts = new(entity => Documents.FromEntity(entity, AppJsonContext.Default.AccountSnapshot));

    public ITableClient Data => tables.GetTableClient(Keys.DataTable);

    public TimeProvider Time => time;

    public async Task<Stored<Account>?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(accountId))
        {
            return null;
        }

        var entity = await Data.GetEntityIfExistsAsync(accountId, Keys.AccountRow, cancellationToken);
        return entity is null ? null : new(Account.Restore(_accounts.Get(entity)), entity.ETag);
    }

    /// <summary>The canonical row, found from the id alone because the id carries the client account id.</summary>
    public async Task<Stored<Connection>?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(connectionId) || Ids.ClientAccountIdOf(connectionId) is not { } clientId)
        {
            return null;
        }

        var entity = await Data.GetEntityIfExistsAsync(clientId, Keys.ClientConnection(connectionId), cancellationToken);
        return entity is null ? null : new(ToConnection(entity), entity.ETag);
    }

    public static Connection ToConnection(TableEntity entity) =>
        Connection.Restore(Documents.FromEntity(entity, AppJsonContext.Default.ConnectionSnapshot));

    public PartitionBatch Batch(string partitionKey) => new(Data, relay, time, partitionKey, days, events);

    public static TableEntity AccountEntity(Account account) =>
        Documents.ToEntity(account.Id, Keys.AccountRow, "account", account.ToSnapshot(), AppJsonContext.Default.AccountSnapshot);

    public static TableEntity ConnectionEntity(string partitionKey, string rowKey, Connection connection) =>
        Documents.ToEntity(partitionKey, rowKey, "connection", connection.ToSnapshot(), AppJsonContext.Default.ConnectionSnapshot);
}

/// <summary>
/// The changes to one partition that must happen together, with the outbox rows describing their side effects.
/// Commit is one entity group transaction: all of it or none of it.
/// </summary>
public sealed class PartitionBatch(ITableClient table, OutboxRelay relay, TimeProvider time, string partitionKey, ActivityDays days, IntegrationEvents? events)
{
    private readonly List<TableTransactionAction> _actions = [];
    private readonly List<ProjectionMessage> _projections = [];
    private readonly List<TableEntity> _dueRows = [];
    private DateTimeOffset? _activityAt;
    private bool _hasOutbox;

    public string PartitionKey => partitionKey;

    /// <summary>The rows written so far: a batch holds at most <see cref="MaxRows"/>.</summary>
    public int Count => _actions.Count;

    /// <summary>The most rows one entity group transaction may write.</summary>
    public const int MaxRows = 100;

    /// <summary>Adds the row when <paramref name="etag"/> is null, else replaces it if it is still at that ETag.</summary>
    public PartitionBatch Put(TableEntity entity, ETag? etag)
    {
        _actions.Add(etag is { } e ? TableTransactionAction.Update(entity, e, TableUpdateMode.Replace) : TableTransactionAction.Add(entity));
        return this;
    }

    public PartitionBatch PutAccount(Account account, ETag? etag) => Put(DataStore.AccountEntity(account), etag);

    /// <summary>Sets the properties of <paramref name="entity"/> on its row if the row is still at <paramref name="etag"/>, leaving the others.</summary>
    public PartitionBatch Merge(TableEntity entity, ETag etag)
    {
        _actions.Add(TableTransactionAction.Update(entity, etag, TableUpdateMode.Merge));
        return this;
    }

    /// <summary>
    /// The canonical connection row; when the expiry timer will have something to do for it, its row in the
    /// time-keyed index (<see cref="Keys.ConnectionDue"/>) is written first, so no connection is ever without one.
    /// </summary>
    public PartitionBatch PutConnection(Connection connection, ETag? etag)
    {
        if (connection.NextDueAt() is { } due)
        {
            _dueRows.Add(new TableEntity(Keys.ConnectionDuePartition, Keys.ConnectionDue(due, connection.Id)));
        }

        return Put(DataStore.ConnectionEntity(partitionKey, Keys.ClientConnection(connection.Id), connection), etag);
    }

    /// <summary>
    /// The entry of this change in the partition's trail — and, for a connection's own history, beside it — in this
    /// same batch. The day-index row the sweep reads is written before the batch (once a day per partition and process).
    /// </summary>
    /// <param name="copyTo">Another account whose trail shows the entry too (the agency, for its connections): a copy the outbox delivers.</param>
    public PartitionBatch Record(ActivityEntry entry, string? copyTo = null)
    {
        if (copyTo is not null)
        {
            Queue(new ActivityCopied(copyTo, entry));
        }

        Put(Documents.ToEntity(partitionKey, Keys.Activity(entry.At, entry.Id), ActivityApi.Kind, entry, AppJsonContext.Default.ActivityEntry), null);
        if (entry.ConnectionId is { } connectionId && Ids.ClientAccountIdOf(connectionId) == partitionKey)
        {
            Put(Documents.ToEntity(partitionKey, Keys.ConnectionActivity(connectionId, entry.At, entry.Id), ActivityApi.Kind, entry, AppJsonContext.Default.ActivityEntry), null);
        }

        if (events?.Publishes(entry) == true)
        {
            Outbox(new OutboxEntry(IntegrationEvents.OutboxTarget, IntegrationEvents.ToCloudEvent(entry, partitionKey)));
        }

        _activityAt ??= entry.At;
        return this;
    }

    /// <summary>
    /// The entry of a change made outside the account's own partition (an invitation's): it travels in this batch's
    /// outbox and lands on the account's trail, so the change never commits without it.
    /// </summary>
    public PartitionBatch RecordOn(string accountId, ActivityEntry entry) => Queue(new ActivityCopied(accountId, entry));

    public PartitionBatch Delete(string rowKey, ETag etag)
    {
        _actions.Add(TableTransactionAction.Delete(partitionKey, rowKey, etag));
        return this;
    }

    public PartitionBatch Outbox(OutboxEntry entry)
    {
        _actions.Add(TableTransactionAction.Add(entry.ToEntity(partitionKey, time.GetUtcNow())));
        _hasOutbox = true;
        return this;
    }

    /// <summary>An index update: applied right after the commit, and carried by the outbox in case that fails.</summary>
    public PartitionBatch Project(ProjectionMessage message)
    {
        _projections.Add(message);
        return Queue(message);
    }

    /// <summary>An index update the outbox delivers, not applied before the answer (a copy for reading later).</summary>
    private PartitionBatch Queue(ProjectionMessage message) =>
        Outbox(new OutboxEntry(ProjectionMessage.QueueName, JsonSerializer.Serialize(message, AppJsonContext.Default.ProjectionMessage)));

    /// <summary>
    /// Commits the batch. A lost optimistic-concurrency race comes back as a failed result, never an overwrite.
    /// The partition is marked as holding outbox rows before the batch, so a crash right after the commit
    /// still leaves the sweep something to find; index rows in other partitions are written before it too.
    /// </summary>
    public async Task<TableTransactionResult> CommitAsync(CancellationToken cancellationToken)
    {
        foreach (var due in _dueRows)
        {
            // Keyed by time and id alone: a retried or repeated write lands on the same row.
            await table.UpsertEntityAsync(due, TableUpdateMode.Replace, cancellationToken);
        }

        if (_activityAt is { } at)
        {
            await days.NoteAsync(table, at, partitionKey, cancellationToken);
        }

        if (_hasOutbox)
        {
            await relay.MarkPendingAsync(partitionKey, cancellationToken);
        }

        var result = await table.SubmitTransactionAsync(_actions, cancellationToken);
        if (result.Succeeded && _hasOutbox)
        {
            await relay.ApplyProjectionsAsync(_projections, cancellationToken);
            relay.Notify(partitionKey);
        }

        return result;
    }
}
