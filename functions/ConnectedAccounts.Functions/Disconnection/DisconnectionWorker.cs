using System.Text.Json;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Disconnection;

/// <summary>
/// Carries out a stored <see cref="DisconnectionPlan"/>. Every step checks what is already done before it acts,
/// so a message delivered twice, or a process killed between any two writes, still ends with each effect applied
/// exactly once. The connection turns <c>disconnected</c> (or <c>expired</c>, when its end date started it) only after
/// the last step.
/// </summary>
public sealed class DisconnectionWorker(
    DataStore store,
    ConnectionStore connections,
    DisconnectionPlanner planner,
    ResourceStore<Integration> integrations,
    IQueueServiceClient queues,
    IOptions<QueueRunnerOptions> queueOptions,
    IOptions<EmailOptions> email,
    ILogger<DisconnectionWorker> logger)
{
    /// <summary>What a connection says when no delivery of its disconnection ever finished, so none could say why.</summary>
    public const string GivenUp = "Gave up: the disconnection was delivered the most times allowed, and every attempt stopped before finishing.";

    private const int ScanPageSize = 1000;

    private int MaxDequeueCount => queueOptions.Value.MaxDequeueCount;

    public async Task HandleAsync(string messageText, long dequeueCount, CancellationToken ct)
    {
        var message = Read(messageText);
        try
        {
            await RunAsync(message.ConnectionId, ct);
        }
        catch (Exception ex) when (dequeueCount >= MaxDequeueCount && ex is not OperationCanceledException)
        {
            // The last delivery: the message goes to the poison queue, and the connection says why.
            logger.LogError(ex, "Disconnection of {ConnectionId} failed for good", message.ConnectionId);
            await RecordFailureAsync(message.ConnectionId, ex.GetType().Name + ": " + ex.Message, ct);
            throw;
        }
    }

    /// <summary>
    /// The queue gave up on a disconnection message. When its last delivery failed, the connection already says why
    /// (<see cref="HandleAsync"/>); when every delivery was cut short (the process stopped mid-step), nothing has said
    /// anything yet, and this does. A copy of the message that still finishes the disconnection clears it.
    /// </summary>
    public async Task RecordGivenUpAsync(string messageText, CancellationToken ct)
    {
        var message = Read(messageText);
        logger.LogError("Disconnection of {ConnectionId} was given up by the queue", message.ConnectionId);
        await ChangeConnectionAsync(
            message.ConnectionId,
            c => c.DisconnectFailure is null
                ? c.RecordDisconnectFailure(GivenUp)
                : DomainError.Conflict("disconnect-failure-recorded", "The last delivery recorded why it failed."),
            ct);
    }

    public async Task RunAsync(string connectionId, CancellationToken ct)
    {
        var connection = await store.GetConnectionAsync(connectionId, ct);
        if (connection?.Value.State != ConnectionState.Disconnecting)
        {
            return;
        }

        var plan = await planner.GetStoredAsync(connection.Value.ClientAccountId, connectionId, ct)
            ?? throw new InvalidDataException($"Connection {connectionId} is disconnecting but has no stored plan.");

        foreach (var planned in plan.IntegrationsToPause)
        {
            await PauseAsync(planned, plan.ClientAccountId, ct);
        }

        if (plan.AgencyCreatedClient)
        {
            await ArchiveReportsAsync(plan.ClientAccountId, plan.ClientAccountName, connectionId, ct);
        }

        var version = store.Time.GetUtcNow().UtcTicks;
        foreach (var member in plan.MembershipsRemoved)
        {
            await SendAsync(ProjectionMessage.QueueName, JsonSerializer.Serialize<ProjectionMessage>(
                new MembershipChanged(member.AccountId, "", member.UserId, null, version), AppJsonContext.Default.ProjectionMessage), ct);
        }

        await CompleteAsync(connection.Value, plan, ct);
    }

    /// <summary>Pauses one integration for this client only; it keeps feeding its other clients.</summary>
    private async Task PauseAsync(PlannedIntegration planned, string clientAccountId, CancellationToken ct)
    {
        while (await integrations.GetAsync(planned.AccountId, planned.IntegrationId, ct) is { } current && !current.Value.PausedFor.Contains(clientAccountId))
        {
            var paused = current.Value with { PausedFor = [.. current.Value.PausedFor, clientAccountId] };
            var entry = ActivityEntry.Of(store.Time.GetUtcNow(), ActivityActor.System, "integration.paused", new ActivitySubject("integration", current.Value.Id, current.Value.Name),
                details: new Dictionary<string, string> { ["clientAccountId"] = clientAccountId });
            if (await integrations.PutAsync(planned.AccountId, planned.IntegrationId, paused, current.ETag, entry, ct) is not null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Archives every report not yet archived: one query per 1,000 rows and one batch per 100 rows, each report merged
    /// with two properties under the ETag it was read at, and in the same batch the account's activity entry saying
    /// how many it archived (<c>account.reportsArchived</c>, on the client's trail and in the connection's history).
    /// A batch that meets a changed row (a report edited meanwhile) sends the loop back to read the same page again,
    /// the first page too, so it ends only when every report of the account has been seen archived.
    /// </summary>
    public async Task<int> ArchiveReportsAsync(string accountId, string accountName, string connectionId, CancellationToken ct)
    {
        var archived = 0;
        var at = store.Time.GetUtcNow();
        // What is left of a batch beside the entry (its rows as the batch writes them: trail, history, event).
        var room = PartitionBatch.MaxRows - store.Batch(accountId).Record(ArchivedEntry(accountId, accountName, connectionId, 0)).Count;
        string? token = null;
        while (true)
        {
            var page = await store.Data.QueryAsync(new TableQuery
            {
                PartitionKey = accountId,
                RowKeyPrefix = Keys.ResourcePrefix(ReportsApi.Kind),
                Top = ScanPageSize,
                Select = ["Archived"],
                ContinuationToken = token,
            }, ct);
            var pending = page.Items.Where(r => r.GetBoolean("Archived") != true).ToList();
            var lostRace = false;
            foreach (var chunk in pending.Chunk(room))
            {
                var batch = store.Batch(accountId).Record(ArchivedEntry(accountId, accountName, connectionId, chunk.Length));
                foreach (var report in chunk)
                {
                    batch.Merge(new TableEntity(report.PartitionKey, report.RowKey) { ["Archived"] = true, ["ArchivedAt"] = at }, report.ETag);
                }

                if (!(await batch.CommitAsync(ct)).Succeeded)
                {
                    lostRace = true;
                    break;
                }

                archived += chunk.Length;
            }

            if (lostRace)
            {
                continue;
            }

            if (page.ContinuationToken is null)
            {
                return archived;
            }

            token = page.ContinuationToken;
        }
    }

    private ActivityEntry ArchivedEntry(string accountId, string accountName, string connectionId, int reports) =>
        ActivityEntry.Of(store.Time.GetUtcNow(), ActivityActor.System, "account.reportsArchived", new ActivitySubject("account", accountId, accountName), connectionId,
            new Dictionary<string, string> { ["reports"] = reports.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private Task SendAsync(string queue, string text, CancellationToken ct) =>
        queues.GetQueueClient(queue).SendMessageCreatingQueueAsync(text, ct);

    /// <summary>
    /// Marks the connection disconnected (or expired) and, in the same batch, queues the e-mail to the admins of both
    /// sides, so they hear of it exactly once and with the final counts.
    /// </summary>
    private Task CompleteAsync(Connection connection, DisconnectionPlan plan, CancellationToken ct) =>
        ChangeConnectionAsync(connection.Id, c => c.CompleteDisconnect(), ct, batch =>
        {
            var expired = connection.DisconnectReason == DisconnectReason.Expired;
            batch.Record(ConnectionActivity.Of(store.Time.GetUtcNow(), ActivityActor.System, expired ? "connection.expired" : "connection.disconnected", connection,
                plan.AgencyAccountName, plan.ClientAccountName, new Dictionary<string, string>
                {
                    ["integrationsPaused"] = plan.IntegrationsToPause.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["reportsArchived"] = plan.ReportsToArchive.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["organisationRemoved"] = plan.OrganisationRemoved ? "true" : "false",
                }), plan.AgencyAccountId);
            foreach (var admin in plan.AdminsToNotify)
            {
                batch.Outbox(new OutboxEntry(EmailQueue.Name, EmailQueue.ToMessageText(new DisconnectedEmail(
                    new EmailAddress(admin.Email, admin.Name),
                    $"disconnected.{connection.Id}.{admin.UserId}",
                    plan.AgencyAccountName,
                    plan.ClientAccountName,
                    plan.DisconnectedByName,
                    plan.DisconnectedByAccountName,
                    connection.DisconnectedAt ?? store.Time.GetUtcNow(),
                    plan.IntegrationsToPause.Count,
                    plan.ReportsToArchive,
                    plan.AgencyCreatedClient,
                    plan.OrganisationRemoved,
                    ToAgency: admin.AccountId == plan.AgencyAccountId,
                    Expired: expired,
                    ConnectAgainLink: expired && !(plan.OrganisationRemoved && admin.AccountId == plan.ClientAccountId) ? email.Value.ConnectionsLink(admin.AccountId) : null))));
            }
        });

    private static DisconnectionRequested Read(string messageText) =>
        JsonSerializer.Deserialize(messageText, AppJsonContext.Default.DisconnectionRequested)
            ?? throw new InvalidDataException("Empty disconnection message.");

    private Task RecordFailureAsync(string connectionId, string failure, CancellationToken ct) =>
        ChangeConnectionAsync(connectionId, c => c.RecordDisconnectFailure(failure.Length > 500 ? failure[..500] : failure), ct);

    private async Task ChangeConnectionAsync(string connectionId, Func<Connection, Outcome> change, CancellationToken ct, Action<PartitionBatch>? alsoInBatch = null)
    {
        while (true)
        {
            var connection = await store.GetConnectionAsync(connectionId, ct);
            var client = connection is null ? null : await store.GetAccountAsync(connection.Value.ClientAccountId, ct);
            if (connection?.Value.State != ConnectionState.Disconnecting || client is null || !change(connection.Value).Succeeded)
            {
                return;
            }

            var batch = connections.Save(connection, client);
            alsoInBatch?.Invoke(batch);
            if ((await batch.CommitAsync(ct)).Succeeded)
            {
                return;
            }
        }
    }
}
