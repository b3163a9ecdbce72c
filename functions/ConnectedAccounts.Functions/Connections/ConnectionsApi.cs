using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Connections;

public static class ConnectionsApi
{
    public static RouteGroupBuilder MapConnectionsApi(this RouteGroupBuilder api)
    {
        var byAccount = api.MapGroup("/accounts/{accountId}/connections").WithTags("Connections");
        byAccount.MapPost("/", RequestConnection);
        byAccount.MapGet("/", ListConnections);

        var connections = api.MapGroup("/connections/{connectionId}").WithTags("Connections");
        connections.MapGet("/", GetConnection);
        connections.MapPost("/accept", Accept);
        connections.MapPost("/decline", Decline);
        connections.MapPost("/cancel", Cancel);
        connections.MapPut("/agency-users", SetAgencyUsers);
        return api;
    }

    /// <summary>The row that allows one open (pending or active) connection per agency–client pair.</summary>
    public static string PairRow(string agencyAccountId) => "pair|" + agencyAccountId;

    public static async Task<Results<Created<ConnectionResponse>, Created<InvitationResponse>, ProblemHttpResult>> RequestConnection(
        string accountId, CreateConnectionRequest request, HttpContext http, AccessResolver access, DataStore store, InvitationService invitations, CancellationToken ct)
    {
        var validation = new Validation();
        if ((request.TargetAccountId is null) == (request.TargetEmail is null))
        {
            validation.Add("targetAccountId", "Give exactly one of targetAccountId and targetEmail.");
        }

        var targetId = validation.Id("targetAccountId", request.TargetAccountId, required: false);
        var targetEmail = validation.Email("targetEmail", request.TargetEmail, required: false);
        var agencyUsers = request.AgencyUsers is null ? null : ConnectionWire.Selection("agencyUsers", request.AgencyUsers.All, request.AgencyUsers.UserIds, validation);
        var permissions = ConnectionWire.Permissions("permissions", request.Permissions, validation);
        var message = validation.Optional("message", request.Message);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        if ((await access.AuthorizeMemberAsync(http, accountId, PermissionAction.ConnectionsRequest, ct)).Denied(out var denied, out var from))
        {
            return denied;
        }


        if (from.Value.IsArchived)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "account-archived", "Conflict", "An archived account cannot connect.");
        }

        if (targetId is null)
        {
            // By e-mail: the connection itself is made when the invitee accepts and picks (or creates) the other side.
            if (agencyUsers is not null && (from.Value.Side != ConnectionSide.Agency || agencyUsers.UserIds.Any(u => from.Value.RoleOf(u) is null)))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "agency-users-invalid", "Invalid request",
                    "Agency users are chosen by the agency and must be members of the agency account.");
            }

            var terms = new ConnectionTerms(from.Value.Side, agencyUsers, permissions?.Order().ToList(), message);
            return await InvitationsApi.InviteToConnectAsync(from.Value, user, targetEmail!, terms, http, invitations, ct) switch
            {
                { Result: Created<InvitationResponse> created } => created,
                { Result: ProblemHttpResult p } => p,
                var other => throw new InvalidOperationException($"Unexpected result {other.Result}."),
            };
        }

        var target = await store.GetAccountAsync(targetId, ct);
        if (target is null || target.Value.IsArchived || target.Value.Id == from.Value.Id)
        {
            return Problems.NotFound("target account");
        }

        if (target.Value.Side == from.Value.Side)
        {
            var (mine, theirs) = from.Value.Side == ConnectionSide.Agency ? ("request access", "grant") : ("grant access", "request");
            return Problems.Create(StatusCodes.Status409Conflict, "connection-direction", "Conflict",
                $"This account can {mine}, so the other account must be one that can {theirs} access.");
        }

        var (agency, client) = from.Value.Side == ConnectionSide.Agency ? (from.Value, target.Value) : (target.Value, from.Value);
        if (agencyUsers is not null && (from.Value.Side != ConnectionSide.Agency || agencyUsers.UserIds.Any(u => agency.RoleOf(u) is null)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "agency-users-invalid", "Invalid request",
                "Agency users are chosen by the agency and must be members of the agency account.");
        }

        var connection = Connection.Request(Ids.NewConnectionId(client.Id), agency.Id, client.Id, from.Value.Side, user.Id, store.Time.GetUtcNow(), agencyUsers, permissions, message);
        var result = await store.Batch(client.Id)
            .PutConnection(connection, null)
            .Put(new TableEntity(client.Id, PairRow(agency.Id)) { ["ConnectionId"] = connection.Id }, null)
            .Project(new ConnectionChanged(connection.ToSnapshot()))
            .CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "connection-exists", "Conflict",
                "These accounts already have a pending or active connection.");
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Created($"/api/connections/{connection.Id}", ConnectionResponse.From(connection));
    }

    public static async Task<Results<Ok<Page<ConnectionResponse>>, ProblemHttpResult>> ListConnections(
        string accountId, string? state, string? direction, int? pageSize, string? continuationToken,
        HttpContext http, AccessResolver access, DataStore store, CancellationToken ct)
    {
        var validation = new Validation();
        var wantedState = validation.Enum("state", state, ConnectionWire.State, "pending, active, declined, cancelled, expired, disconnecting, disconnected", required: false);
        if (direction is not (null or "incoming" or "outgoing"))
        {
            validation.Add("direction", "Must be one of incoming, outgoing.");
        }

        var size = Paging.ListQuery(pageSize, continuationToken, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        if (await access.ResolveAsync(accountId, http.User().Id, ct) is not { IsMember: true } found)
        {
            return Problems.NotFound("account");
        }

        var side = found.Value.Side;
        bool Wanted(Connection c) =>
            (wantedState is null || c.State == wantedState) && (direction is null || (c.InitiatedBy == side) == (direction == "outgoing"));
        var page = await store.Data.QueryFilteredPageAsync(accountId, Keys.ConnectionPrefix, size, continuationToken,
            row => DataStore.ToConnection(row) is var connection && Wanted(connection) ? ConnectionResponse.From(connection) : null, ct);
        return page is null ? Paging.InvalidToken() : TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> GetConnection(
        string connectionId, HttpContext http, DataStore store, CancellationToken ct)
    {
        if (await LoadAsync(connectionId, http.User().Id, store, ct) is not { } loaded)
        {
            return Problems.NotFound("connection");
        }

        ETags.Set(http, loaded.Connection.ETag);
        return TypedResults.Ok(ConnectionResponse.From(loaded.Connection.Value));
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Accept(
        string connectionId, AcceptConnectionRequest? request, HttpContext http, DataStore store, CancellationToken ct)
    {
        var validation = new Validation();
        var agencyUsers = request?.AgencyUsers is { } au ? ConnectionWire.Selection("agencyUsers", au.All, au.UserIds, validation) : null;
        var permissions = ConnectionWire.Permissions("permissions", request?.Permissions, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(connectionId, http, store, requireOrgAdmin: true, (loaded, by, at) =>
        {
            var c = loaded.Connection.Value;
            if (agencyUsers is not null && (by != ConnectionSide.Agency || agencyUsers.UserIds.Any(u => loaded.Agency.Value.RoleOf(u) is null)))
            {
                return DomainError.Invalid("agency-users-invalid", "Agency users are chosen by the agency and must be members of the agency account.");
            }

            var outcome = c.Accept(by, at, agencyUsers, permissions);
            if (outcome.Succeeded && request?.AccountManagers is { } managers)
            {
                outcome = by == ConnectionSide.Agency && managers.All(m => loaded.Agency.Value.RoleOf(m) == Role.AccountManager)
                    ? c.ChangeAgencyUsers(c.AgencyUsers, managers)
                    : DomainError.Invalid("account-managers-invalid", "Account managers are chosen by the agency among its accountManagers.");
            }

            return outcome;
        }, ct);
    }

    public static Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Decline(string connectionId, HttpContext http, DataStore store, CancellationToken ct) =>
        ChangeAsync(connectionId, http, store, requireOrgAdmin: false, (loaded, by, at) => loaded.Connection.Value.Decline(by, at), ct);

    public static Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Cancel(string connectionId, HttpContext http, DataStore store, CancellationToken ct) =>
        ChangeAsync(connectionId, http, store, requireOrgAdmin: false, (loaded, by, at) => loaded.Connection.Value.Cancel(by, at), ct);

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> SetAgencyUsers(
        string connectionId, AgencyUsersRequest request, HttpContext http, DataStore store, CancellationToken ct)
    {
        var validation = new Validation();
        var selection = ConnectionWire.Selection("agencyUsers", request.All, request.UserIds, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(connectionId, http, store, requireOrgAdmin: false, (loaded, by, _) =>
        {
            var agency = loaded.Agency.Value;
            if (by != ConnectionSide.Agency)
            {
                return DomainError.Forbidden("agency-users-by-client", "Only the agency chooses its agency users.");
            }

            if (selection!.UserIds.Any(u => agency.RoleOf(u) is null) ||
                request.AccountManagers?.Any(m => agency.RoleOf(m) != Role.AccountManager) == true)
            {
                return DomainError.Invalid("agency-users-invalid", "Agency users must be members of the agency account, and account managers its accountManagers.");
            }

            return loaded.Connection.Value.ChangeAgencyUsers(selection, request.AccountManagers);
        }, ct);
    }

    /// <summary>A connection with both accounts, read for a caller who is a member of one of them.</summary>
    public sealed record LoadedConnection(Stored<Connection> Connection, Stored<Account> Agency, Stored<Account> Client, ConnectionSide CallerSide, Role CallerRole);

    /// <summary>Null when the connection does not exist or the caller belongs to neither side: both answer 404.</summary>
    public static async Task<LoadedConnection?> LoadAsync(string connectionId, string userId, DataStore store, CancellationToken ct)
    {
        var connection = await store.GetConnectionAsync(connectionId, ct);
        if (connection is null)
        {
            return null;
        }

        var agency = await store.GetAccountAsync(connection.Value.AgencyAccountId, ct);
        var client = await store.GetAccountAsync(connection.Value.ClientAccountId, ct);
        if (agency is null || client is null)
        {
            return null;
        }

        // A user in both accounts acts as the receiving side, the one with something to decide.
        var receiving = connection.Value.ReceivingSide;
        foreach (var side in new[] { receiving, receiving == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency })
        {
            if ((side == ConnectionSide.Agency ? agency : client).Value.RoleOf(userId) is { } role)
            {
                return new LoadedConnection(connection, agency, client, side, role);
            }
        }

        return null;
    }

    private static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> ChangeAsync(
        string connectionId,
        HttpContext http,
        DataStore store,
        bool requireOrgAdmin,
        Func<LoadedConnection, ConnectionSide, DateTimeOffset, Outcome> change,
        CancellationToken ct)
    {
        if (await LoadAsync(connectionId, http.User().Id, store, ct) is not { } loaded)
        {
            return Problems.NotFound("connection");
        }

        var allowed = requireOrgAdmin
            ? loaded.CallerRole == Role.OrgAdmin
            : loaded.CallerRole is Role.OrgAdmin or Role.AccountManager;
        if (!allowed)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
                requireOrgAdmin ? "Only an orgAdmin of the receiving account can accept." : "Only an orgAdmin or accountManager can change a connection.");
        }

        if (!ETags.IfMatchHolds(http, loaded.Connection.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var outcome = change(loaded, loaded.CallerSide, store.Time.GetUtcNow());
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var result = await Save(store, loaded.Connection, loaded.Client).CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Ok(ConnectionResponse.From(loaded.Connection.Value));
    }

    /// <summary>
    /// The batch that stores a changed connection: the canonical row, the client account's grant, the pair row
    /// when the connection has ended, and the message that updates the agency's copy — one partition, one commit.
    /// </summary>
    public static PartitionBatch Save(DataStore store, Stored<Connection> connection, Stored<Account> client)
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
            batch.Delete(PairRow(c.AgencyAccountId), ETag.Any);
        }

        return batch.Project(new ConnectionChanged(c.ToSnapshot()));
    }
}
