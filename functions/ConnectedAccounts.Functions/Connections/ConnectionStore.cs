using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Connections;

/// <summary>A connection with both of its accounts, as read for one request.</summary>
public sealed record LoadedConnection(Stored<Connection> Connection, Stored<Account> Agency, Stored<Account> Client);

/// <summary>
/// The rows of connections: the canonical row and the pair row in the client's partition, the client's grant
/// beside them, and the index copies the outbox keeps elsewhere. Every feature that changes a connection goes
/// through here.
/// </summary>
public sealed class ConnectionStore(DataStore store)
{
    /// <summary>Null when the connection or one of its accounts does not exist.</summary>
    public async Task<LoadedConnection?> LoadAsync(string connectionId, CancellationToken ct)
    {
        if (await store.GetConnectionAsync(connectionId, ct) is not { } connection)
        {
            return null;
        }

        var agency = await store.GetAccountAsync(connection.Value.AgencyAccountId, ct);
        var client = await store.GetAccountAsync(connection.Value.ClientAccountId, ct);
        return agency is null || client is null ? null : new LoadedConnection(connection, agency, client);
    }

    /// <summary>
    /// The batch that opens a new connection: its canonical row and the pair row that allows one open (pending or
    /// active) connection per agency–client pair, so a second one fails the commit.
    /// </summary>
    public PartitionBatch Open(Connection connection) =>
        store.Batch(connection.ClientAccountId)
            .PutConnection(connection, null)
            .Put(new TableEntity(connection.ClientAccountId, Keys.ConnectionPair(connection.AgencyAccountId)) { ["ConnectionId"] = connection.Id }, null)
            .Project(new ConnectionChanged(connection.ToSnapshot()));

    /// <summary>Whether the agency and the client have a pending or active connection.</summary>
    public async Task<bool> IsPairOpenAsync(string agencyAccountId, string clientAccountId, CancellationToken ct) =>
        await store.Data.GetEntityIfExistsAsync(clientAccountId, Keys.ConnectionPair(agencyAccountId), ct) is not null;

    /// <summary>
    /// Whether the account has a pending or active connection on either side: its own partition holds the canonical
    /// rows where it is the client and the index copies where it is the agency.
    /// </summary>
    public async Task<bool> HasOpenConnectionsAsync(string accountId, CancellationToken ct)
    {
        await foreach (var row in store.Data.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.ConnectionPrefix }, ct))
        {
            if (DataStore.ToConnection(row).State is ConnectionState.Pending or ConnectionState.Active)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The batch that stores a changed connection: the canonical row, the client account's grant, the pair row
    /// when the connection has ended, and the message that updates the agency's copy — one partition, one commit.
    /// </summary>
    public PartitionBatch Save(Stored<Connection> connection, Stored<Account> client)
    {
        var c = connection.Value;
        var hadGrant = client.Value.Grants.Any(g => g.ConnectionId == c.Id);
        client.Value.ApplyConnection(c);
        var batch = store.Batch(c.ClientAccountId).PutConnection(c, connection.ETag);
        if (hadGrant || c.IsActive)
        {
            batch.PutAccount(client.Value, client.ETag);
        }

        if (c.State is not (ConnectionState.Pending or ConnectionState.Active or ConnectionState.Disconnecting))
        {
            batch.Delete(Keys.ConnectionPair(c.AgencyAccountId), ETag.Any);
        }

        return batch.Project(new ConnectionChanged(c.ToSnapshot()));
    }
}
