using System.Text.Json.Serialization.Metadata;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Resources;

/// <summary>
/// Rows of one kind of resource (<c>report|id</c>, <c>item|id</c> …) inside their account's partition. A kind
/// may keep some fields in typed columns beside the document (<paramref name="columns"/>), so that a fan-out
/// can change them with a merge without rewriting the document.
/// </summary>
public sealed class ResourceStore<T>(DataStore store, string kind, JsonTypeInfo<T> typeInfo, ResourceColumns<T>? columns = null)
    where T : class
{
    private readonly ParsedDocuments<T> _parsed = new(entity =>
    {
        var value = Documents.FromEntity(entity, typeInfo);
        return columns is null ? value : columns.Read(value, entity);
    });

    public string Kind => kind;

    public async Task<Stored<T>?> GetAsync(string accountId, string id, CancellationToken ct)
    {
        if (!Domain.Common.Ids.IsWellFormed(id))
        {
            return null;
        }

        var entity = await store.Data.GetEntityIfExistsAsync(accountId, Keys.Resource(kind, id), ct);
        return entity is null ? null : new(FromEntity(entity), entity.ETag);
    }

    /// <summary>A page for a client-supplied token; null when the store did not issue that token.</summary>
    public async Task<(IReadOnlyList<Stored<T>> Items, string? ContinuationToken)?> TryListAsync(string accountId, int pageSize, string? token, CancellationToken ct)
    {
        var page = await store.Data.QueryClientPageAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ResourcePrefix(kind), Top = pageSize, ContinuationToken = token }, ct);
        return page is null ? null : (page.Items.Select(e => new Stored<T>(FromEntity(e), e.ETag)).ToList(), page.ContinuationToken);
    }

    public async Task<(IReadOnlyList<Stored<T>> Items, string? ContinuationToken)> ListAsync(string accountId, int pageSize, string? token, CancellationToken ct)
    {
        var page = await store.Data.QueryAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ResourcePrefix(kind), Top = pageSize, ContinuationToken = token }, ct);
        return (page.Items.Select(e => new Stored<T>(FromEntity(e), e.ETag)).ToList(), page.ContinuationToken);
    }

    /// <summary>Every resource of this kind on the account.</summary>
    public async Task<List<T>> AllAsync(string accountId, CancellationToken ct)
    {
        var all = new List<T>();
        await foreach (var entity in store.Data.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ResourcePrefix(kind) }, ct))
        {
            all.Add(FromEntity(entity));
        }

        return all;
    }

    public TableEntity ToEntity(string accountId, string id, T value)
    {
        var entity = Documents.ToEntity(accountId, Keys.Resource(kind, id), kind, value, typeInfo);
        columns?.Write(value, entity);
        return entity;
    }

    public T FromEntity(TableEntity entity) => _parsed.Get(entity);

    /// <summary>Adds (etag null) or replaces the row if it is still at <paramref name="etag"/>, with the change's activity entry.</summary>
    public async Task<ETag?> PutAsync(string accountId, string id, T value, ETag? etag, ActivityEntry entry, CancellationToken ct)
    {
        var result = await store.Batch(accountId).Put(ToEntity(accountId, id, value), etag).Record(entry).CommitAsync(ct);
        return result.Succeeded ? result.ETags[0] : null;
    }

    /// <summary>An entry about a resource that changed nothing stored, such as its export.</summary>
    public async Task RecordAsync(string accountId, ActivityEntry entry, CancellationToken ct) =>
        await store.Batch(accountId).Record(entry).CommitAsync(ct);

    public async Task<bool> DeleteAsync(string accountId, string id, ETag etag, ActivityEntry entry, CancellationToken ct) =>
        (await store.Batch(accountId).Delete(Keys.Resource(kind, id), etag).Record(entry).CommitAsync(ct)).Succeeded;
}

/// <summary>Fields of a resource kept in their own columns: written beside the document, read over it.</summary>
public sealed record ResourceColumns<T>(Action<T, TableEntity> Write, Func<T, TableEntity, T> Read);
