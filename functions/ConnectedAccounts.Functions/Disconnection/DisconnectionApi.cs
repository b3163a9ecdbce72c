using System.Text.Json;
using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Disconnection;

/// <param name="Reason"><c>expired</c> when the connection's end date has come (the timer carries this out by itself), else <c>requested</c>.</param>
/// <param name="ExpiresAt">When it ends by itself, if it has an end date.</param>
/// <param name="Narrowing">With <c>?permissions=</c>: what narrowing the scope to those, instead of disconnecting, would no longer reach.</param>
public sealed record DisconnectPreview(
    string ConnectionId,
    string Reason,
    DateTimeOffset? ExpiresAt,
    bool AgencyCreatedClient,
    IReadOnlyList<PlannedIntegration> IntegrationsToPause,
    IReadOnlyList<string> ReportsToArchive,
    IReadOnlyList<PlannedUser> UsersLosingAccess,
    bool OrganisationRemoved,
    IReadOnlyList<PlannedUser> MembershipsRemoved,
    ScopeNarrowing? Narrowing);

public sealed record DisconnectAccepted(string ConnectionId, string State);

/// <summary>The message that starts the side effects of one disconnection.</summary>
public sealed record DisconnectionRequested(string ConnectionId)
{
    public const string QueueName = "disconnection";
}

public static class DisconnectionApi
{
    public static RouteGroupBuilder MapDisconnectionApi(this RouteGroupBuilder api)
    {
        var connections = api.MapGroup("/connections/{connectionId}").WithTags("Connections");
        connections.MapGet("/disconnect-preview", Preview);
        connections.MapPost("/disconnect", Disconnect);
        return api;
    }

    /// <summary>
    /// What a disconnect would do. With <paramref name="permissions"/> (comma-separated actions, empty for none), also
    /// what narrowing the scope to them would no longer reach; that asks the decision of <c>PUT …/permissions</c>, so
    /// only who may make that change sees it.
    /// </summary>
    public static async Task<Results<Ok<DisconnectPreview>, ProblemHttpResult>> Preview(
        string connectionId, string? permissions, HttpContext http, ConnectionAuthorization connections, DisconnectionPlanner planner, NarrowingPlanner narrowing, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var scope = permissions is null ? null : ConnectionWire.Permissions("permissions", permissions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var (operation, now) = (scope is null ? ConnectionOperation.PreviewDisconnect : ConnectionOperation.ChangePermissions, time.GetUtcNow());
        if ((await connections.AuthorizeAsync(http, connectionId, operation, ct, permissions: scope)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var loaded = found.Loaded;
        var connection = loaded.Connection.Value;
        var (plan, reportIds) = await planner.PlanAsync(connection, loaded.Agency.Value, loaded.Client.Value, ct);
        ScopeNarrowing? narrowed = null;
        if (scope is not null)
        {
            // The change is made on this request's copy of the connection, never saved: it says what the scope would be.
            var before = ConnectionGrant.From(connection);
            if (connection.ChangePermissions(scope, now).Error is { } error)
            {
                return Problems.Of(error);
            }

            narrowed = await narrowing.PlanAsync(before, ConnectionGrant.From(connection), loaded.Agency.Value, loaded.Client.Value, now, ct);
        }

        var expired = connection.StateAt(now) == ConnectionState.Expired;
        return TypedResults.Ok(new DisconnectPreview(plan.ConnectionId, expired ? "expired" : "requested", connection.ExpiresAt, plan.AgencyCreatedClient, plan.IntegrationsToPause, reportIds, plan.UsersLosingAccess, plan.OrganisationRemoved, plan.MembershipsRemoved, narrowed));
    }

    /// <summary>Ends access (<see cref="DisconnectionStarter"/>) and answers 202; a repeat of a started disconnection answers 202 again.</summary>
    public static async Task<Results<Accepted<DisconnectAccepted>, ProblemHttpResult>> Disconnect(
        string connectionId, HttpContext http, ConnectionAuthorization connections, DisconnectionStarter starter, TimeProvider time, CancellationToken ct)
    {
        var user = http.User();
        if ((await connections.AuthorizeAsync(http, connectionId, ConnectionOperation.Disconnect, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        var loaded = found.Loaded;
        var connection = loaded.Connection.Value;
        var location = $"/api/connections/{connection.Id}";
        var now = time.GetUtcNow();
        if (connection.State is ConnectionState.Disconnecting or ConnectionState.Disconnected)
        {
            return TypedResults.Accepted(location, new DisconnectAccepted(connection.Id, ConnectionWire.Of(connection.StateAt(now))));
        }

        if (!ETags.IfMatchHolds(http, loaded.Connection.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var byAccount = found.Side == ConnectionSide.Agency ? loaded.Agency.Value.Name : loaded.Client.Value.Name;
        var (error, result) = await starter.StartAsync(loaded, c => c.BeginDisconnect(user.Id, now), user.Name, byAccount, ConnectionActivity.Actor(user, loaded, found.Side), now, ct);
        if (error is not null)
        {
            return Problems.Of(error);
        }

        if (!result!.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Accepted(location, new DisconnectAccepted(connection.Id, ConnectionWire.Of(connection.StateAt(now))));
    }
}

/// <summary>Starts the disconnection of one connection, whoever asks: a user, or the expiry timer at its end date.</summary>
public sealed class DisconnectionStarter(ConnectionStore store, DisconnectionPlanner planner)
{
    /// <summary>
    /// Ends access in one batch on the client's partition — the canonical connection row, the client account's
    /// grants (and, for an account the agency created, its archiving and the end of its organisation), the stored
    /// plan, and the outbox rows that start the side effects. A failed commit (a lost race) changes nothing.
    /// </summary>
    /// <param name="begin">The state change: <see cref="Connection.BeginDisconnect"/> or <see cref="Connection.BeginExpiry"/>.</param>
    public async Task<(DomainError? Error, TableTransactionResult? Result)> StartAsync(
        LoadedConnection loaded, Func<Connection, Outcome> begin, string byName, string byAccountName, ActivityActor actor, DateTimeOffset at, CancellationToken ct)
    {
        var connection = loaded.Connection.Value;
        var (planned, _) = await planner.PlanAsync(connection, loaded.Agency.Value, loaded.Client.Value, ct);
        var plan = planned with { DisconnectedByName = byName, DisconnectedByAccountName = byAccountName };
        var outcome = begin(connection);
        if (!outcome.Succeeded)
        {
            return (outcome.Error, null);
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
            .Record(ConnectionActivity.Of(at, actor, "connection.disconnectStarted", connection, plan.AgencyAccountName, plan.ClientAccountName, new Dictionary<string, string>
            {
                ["reason"] = connection.DisconnectReason == DisconnectReason.Expired ? "expired" : "requested",
                ["integrationsToPause"] = plan.IntegrationsToPause.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reportsToArchive"] = plan.ReportsToArchive.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }), connection.AgencyAccountId)
            .Outbox(new OutboxEntry(DisconnectionRequested.QueueName, JsonSerializer.Serialize(new DisconnectionRequested(connection.Id), AppJsonContext.Default.DisconnectionRequested)));
        return (null, await batch.CommitAsync(ct));
    }
}
