using System.Text.Json;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Disconnection;

public sealed record DisconnectPreview(
    string ConnectionId,
    bool AgencyCreatedClient,
    IReadOnlyList<PlannedIntegration> IntegrationsToPause,
    IReadOnlyList<string> ReportsToArchive,
    IReadOnlyList<PlannedUser> UsersLosingAccess,
    bool OrganisationRemoved,
    IReadOnlyList<PlannedUser> MembershipsRemoved);

public sealed record DisconnectAccepted(string ConnectionId, string State);

/// <summary>The message that starts the side effects of one disconnection.</summary>
public sealed record DisconnectionRequested(string ConnectionId)
{
    public const string QueueName = "disconnection";
}

public static class DisconnectionApi
{
    public static IServiceCollection AddDisconnection(this IServiceCollection services) =>
        services.AddSingleton<DisconnectionPlanner>()
            .AddSingleton<DisconnectionWorker>()
            .AddQueueFunction<DisconnectionFunction>("DisconnectionWorker", DisconnectionRequested.QueueName)
            .AddQueueFunction<DisconnectionGivenUpFunction>("DisconnectionGivenUp", QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName));

    public sealed class DisconnectionFunction(DisconnectionWorker worker) : IQueueFunction
    {
        public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
            worker.HandleAsync(invocation.MessageText, invocation.DequeueCount, cancellationToken);
    }

    /// <summary>
    /// Takes the disconnection messages the queue gave up on (moved to its poison queue by the Functions host or the
    /// standalone runner), so no connection stays "disconnecting" without a word (<see cref="DisconnectionWorker.RecordGivenUpAsync"/>).
    /// </summary>
    public sealed class DisconnectionGivenUpFunction(DisconnectionWorker worker) : IQueueFunction
    {
        public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
            worker.RecordGivenUpAsync(invocation.MessageText, cancellationToken);
    }

    public static RouteGroupBuilder MapDisconnectionApi(this RouteGroupBuilder api)
    {
        var connections = api.MapGroup("/connections/{connectionId}").WithTags("Connections");
        connections.MapGet("/disconnect-preview", Preview);
        connections.MapPost("/disconnect", Disconnect);
        return api;
    }

    public static async Task<Results<Ok<DisconnectPreview>, ProblemHttpResult>> Preview(
        string connectionId, HttpContext http, ConnectionAuthorization connections, DisconnectionPlanner planner, CancellationToken ct)
    {
        if ((await connections.AuthorizeAsync(http, connectionId, ConnectionOperation.PreviewDisconnect, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var loaded = found.Loaded;
        var (plan, reportIds) = await planner.PlanAsync(loaded.Connection.Value, loaded.Agency.Value, loaded.Client.Value, ct);
        return TypedResults.Ok(new DisconnectPreview(plan.ConnectionId, plan.AgencyCreatedClient, plan.IntegrationsToPause, reportIds, plan.UsersLosingAccess, plan.OrganisationRemoved, plan.MembershipsRemoved));
    }

    /// <summary>
    /// Ends access in one batch on the client's partition — the canonical connection row, the client account's
    /// grants (and, for an account the agency created, its archiving and the end of its organisation), the stored
    /// plan, and the outbox rows that start the side effects — then answers 202.
    /// </summary>
    public static async Task<Results<Accepted<DisconnectAccepted>, ProblemHttpResult>> Disconnect(
        string connectionId, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, DisconnectionPlanner planner, TimeProvider time, CancellationToken ct)
    {
        var user = http.User();
        if ((await connections.AuthorizeAsync(http, connectionId, ConnectionOperation.Disconnect, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var loaded = found.Loaded;

        var connection = loaded.Connection.Value;
        var location = $"/api/connections/{connection.Id}";
        if (connection.State is ConnectionState.Disconnecting or ConnectionState.Disconnected)
        {
            return TypedResults.Accepted(location, new DisconnectAccepted(connection.Id, ConnectionWire.Of(connection.State)));
        }

        if (!ETags.IfMatchHolds(http, loaded.Connection.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var (planned, _) = await planner.PlanAsync(connection, loaded.Agency.Value, loaded.Client.Value, ct);
        var plan = planned with
        {
            DisconnectedByName = user.Name,
            DisconnectedByAccountName = found.Side == ConnectionSide.Agency ? planned.AgencyAccountName : planned.ClientAccountName,
        };
        var outcome = connection.BeginDisconnect(user.Id, time.GetUtcNow());
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var client = loaded.Client.Value;
        if (plan.AgencyCreatedClient)
        {
            client.Archive(connection.DisconnectedAt!.Value);
            client.RemoveOrganisation();
        }

        // An active connection always has a grant on the client account, so Save writes that row too.
        var batch = store.Save(loaded.Connection, loaded.Client)
            .Put(DisconnectionPlanner.ToEntity(plan), null)
            .Outbox(new OutboxEntry(DisconnectionRequested.QueueName, JsonSerializer.Serialize(new DisconnectionRequested(connection.Id), AppJsonContext.Default.DisconnectionRequested)));
        var result = await batch.CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Accepted(location, new DisconnectAccepted(connection.Id, ConnectionWire.Of(connection.State)));
    }
}
