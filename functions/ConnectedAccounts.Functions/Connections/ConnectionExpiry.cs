using System.Globalization;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Connections;

/// <param name="Reminded">Reminders sent (one per connection and threshold, to the admins of both sides).</param>
/// <param name="Renewed">Auto-extending connections renewed by their term.</param>
/// <param name="Expired">Connections whose end date came and whose disconnection this run started.</param>
public sealed record ExpiryRunResult(int Reminded, int Renewed, int Expired);

/// <summary>
/// The timer function <c>ConnectionExpiry</c>: for every connection whose row in the time-keyed index
/// (<see cref="Keys.ConnectionDuePartition"/>) has come due, sends the reminder of the threshold reached, renews an
/// auto-extending one, or starts the disconnection of one whose end date came, with reason <c>expired</c>. Access
/// has already ended by then (the decision reads the time); this carries out the rest. Each step is one ETag-guarded
/// batch with its e-mails in the outbox, so two runs at once, or a run after a crash, do nothing twice.
/// </summary>
public sealed class ConnectionExpiry(
    DataStore store, ConnectionStore connections, DisconnectionStarter starter, IOptions<EmailOptions> email, ILogger<ConnectionExpiry> logger)
   
{
    public async Task<ExpiryRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = store.Time.GetUtcNow();
        var query = new TableQuery { PartitionKey = Keys.ConnectionDuePartition, RowKeyTo = Keys.TimeOrderedAfter(now) };
        int reminded = 0, renewed = 0, expired = 0;
        await foreach (var row in store.Data.QueryAllAsync(query, cancellationToken))
        {
            switch (await ProcessAsync(row.RowKey[(row.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..], now, cancellationToken))
            {
                case ExpiryStepKind.Remind: reminded++; break;
                case ExpiryStepKind.Renew: renewed++; break;
                case ExpiryStepKind.Expire: expired++; break;
            }

            // Whatever the connection has to do next has its own row, written before the change that made it due.
            await store.Data.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
        }

        if (reminded + renewed + expired > 0)
        {
            logger.LogInformation("Connection expiry: {Reminded} reminded, {Renewed} renewed, {Expired} expired.", reminded, renewed, expired);
        }

        return new(reminded, renewed, expired);
    }

    /// <summary>Carries out what is due for one connection; a lost race reads it again, and finds the winner's work done.</summary>
    private async Task<ExpiryStepKind> ProcessAsync(string connectionId, DateTimeOffset now, CancellationToken ct)
    {
        while (await connections.LoadAsync(connectionId, ct) is { } loaded)
        {
            var connection = loaded.Connection.Value;
            var step = connection.DueAt(now);
            TableTransactionResult? result;
            switch (step.Kind)
            {
                case ExpiryStepKind.Expire:
                    DomainError? refused;
                    (refused, result) = await starter.StartAsync(loaded, c => c.BeginExpiry(now), "", "", ActivityActor.System, now, ct);
                    if (refused is not null)
                    {
                        return ExpiryStepKind.None;
                    }

                    break;
                case ExpiryStepKind.Renew:
                    var previous = connection.ExpiresAt!.Value;
                    connection.Renew(now);
                    var extended = Entry(loaded, now, "connection.extended", new() { ["from"] = ActivityEntry.Detail(previous), ["expiresAt"] = ActivityEntry.Detail(connection.ExpiresAt!.Value) });
                    result = await Notify(loaded, connections.Save(loaded.Connection, loaded.Client).Record(extended, connection.AgencyAccountId), (admin, toAgency) => new ConnectionExtendedEmail(
                        new EmailAddress(admin.Email, admin.Name),
                        string.Create(CultureInfo.InvariantCulture, $"extended.{connection.Id}.{connection.ExpiresAt!.Value.UtcTicks}.{admin.UserId}"),
                        loaded.Agency.Value.Name, loaded.Client.Value.Name, previous, connection.ExpiresAt.Value, toAgency,
                        email.Value.ExtendLink(connection.Id, toAgency))).CommitAsync(ct);
                    break;
                case ExpiryStepKind.Remind:
                    connection.RecordReminder(step.DaysBefore, now);
                    var reminded = Entry(loaded, now, "connection.expiryReminded", new() { ["daysBefore"] = step.DaysBefore.ToString(CultureInfo.InvariantCulture), ["expiresAt"] = ActivityEntry.Detail(connection.ExpiresAt!.Value) });
                    result = await Notify(loaded, connections.Save(loaded.Connection, loaded.Client).Record(reminded, connection.AgencyAccountId), (admin, toAgency) => new ConnectionExpiringEmail(
                        new EmailAddress(admin.Email, admin.Name),
                        string.Create(CultureInfo.InvariantCulture, $"expiring.{connection.Id}.{connection.ExpiresAt!.Value.UtcTicks}.{step.DaysBefore}.{admin.UserId}"),
                        loaded.Agency.Value.Name, loaded.Client.Value.Name, connection.ExpiresAt.Value, step.DaysBefore, toAgency,
                        email.Value.ExtendLink(connection.Id, toAgency))).CommitAsync(ct);
                    break;
                default:
                    return ExpiryStepKind.None;
            }

            if (result?.Succeeded == true)
            {
                return step.Kind;
            }
        }

        return ExpiryStepKind.None;
    }

    private static ActivityEntry Entry(LoadedConnection loaded, DateTimeOffset at, string action, Dictionary<string, string> details) =>
        ConnectionActivity.Of(at, ActivityActor.System, action, loaded.Connection.Value, loaded.Agency.Value.Name, loaded.Client.Value.Name, details);

    private static PartitionBatch Notify(LoadedConnection loaded, PartitionBatch batch, Func<PlannedUser, bool, EmailRequest> mail)
    {
        foreach (var admin in DisconnectionPlanner.AdminsOf(loaded.Agency.Value, loaded.Client.Value))
        {
            batch.Outbox(new OutboxEntry(EmailQueue.Name, EmailQueue.ToMessageText(mail(admin, admin.AccountId == loaded.Agency.Value.Id))));
        }

        return batch;
    }
}
