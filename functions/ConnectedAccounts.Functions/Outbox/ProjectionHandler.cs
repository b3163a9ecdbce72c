using System.Text.Json;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>
/// Applies <see cref="ProjectionMessage"/>s to the index rows. Idempotent and order-proof: a row records the
/// version it reflects and is only replaced by a newer one; a removed membership stays as a tombstone so a late
/// "added" cannot bring it back.
/// </summary>
public sealed class ProjectionHandler(ITableServiceClient tables)
{
    public Task HandleAsync(string messageText, CancellationToken cancellationToken) =>
        ApplyAsync(JsonSerializer.Deserialize(messageText, AppJsonContext.Default.ProjectionMessage), cancellationToken);

    private readonly Activity.ActivityDays _days = new();

    public Task ApplyAsync(ProjectionMessage? message, CancellationToken cancellationToken) =>
        message switch
        {
            ActivityCopied a => CopyAsync(tables.GetTableClient(Keys.DataTable), a, cancellationToken),
            MembershipChanged m => ApplyAsync(
                tables.GetTableClient(Keys.UsersTable),
                Membership(m),
                m.Version,
                cancellationToken),
            ConnectionChanged c => ApplyAsync(
                tables.GetTableClient(Keys.DataTable),
                WithVersion(DataStore.ConnectionEntity(c.Connection.AgencyAccountId, Keys.AgencyConnection(c.Connection.Id), Domain.Connections.Connection.Restore(c.Connection)), c.Connection.Version),
                c.Connection.Version,
                cancellationToken),
            _ => throw new InvalidDataException("Unknown projection message."),
        };

    private async Task CopyAsync(ITableClient data, ActivityCopied copy, CancellationToken cancellationToken)
    {
        await _days.NoteAsync(data, copy.Entry.At, copy.AccountId, cancellationToken);
        var row = Documents.ToEntity(copy.AccountId, Keys.Activity(copy.Entry.At, copy.Entry.Id), Activity.ActivityApi.Kind, copy.Entry, AppJsonContext.Default.ActivityEntry);
        await data.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    private static TableEntity Membership(MembershipChanged m) => WithVersion(
        new TableEntity(Keys.UserPartition(m.UserId), Keys.UserMembership(m.AccountId))
        {
            ["AccountId"] = m.AccountId,
            ["AccountName"] = m.AccountName,
            ["Role"] = m.Role?.WireName() ?? "",
            ["Removed"] = m.Role is null,
        },
        m.Version);

    private static TableEntity WithVersion(TableEntity entity, long version)
    {
        entity["Version"] = version;
        return entity;
    }

    private static async Task ApplyAsync(ITableClient table, TableEntity entity, long version, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await table.GetEntityIfExistsAsync(entity.PartitionKey, entity.RowKey, cancellationToken);
            if (current?.GetInt64("Version") >= version)
            {
                return;
            }

            var result = current is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken);
            if (result.Succeeded)
            {
                return;
            }

            // Another delivery wrote in between: read again and decide on its version.
        }
    }
}
