using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Activity;
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
        connections.MapPut("/permissions", SetPermissions);
        connections.MapPut("/expiry", SetExpiry);
        return api;
    }

    public static async Task<Results<Created<ConnectionResponse>, Created<InvitationResponse>, ProblemHttpResult>> RequestConnection(
        string accountId, CreateConnectionRequest request, HttpContext http, AccessResolver access, DataStore store, ConnectionStore connections, InvitationService invitations, TimeProvider time, CancellationToken ct)
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
        var now = time.GetUtcNow();
        var term = ConnectionWire.TermWithAutoExtend(request.Duration, request.AutoExtend, now, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var user = http.User();
        if ((await access.AuthorizeMemberAsync(http, accountId, PermissionAction.ConnectionsRequest, ct)).Denied(out var denied, out var from))
        {
            return denied;
        }

        // The account manager who brings a client in manages it; anyone else leaves that to the agency's orgAdmin.
        IReadOnlyList<string>? managers = from.Value.Side == ConnectionSide.Agency && PermissionMatrix.LimitedToManagedClients(from.MemberRole!.Value) ? [user.Id] : null;
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

            var terms = new ConnectionTerms(from.Value.Side, agencyUsers, permissions?.Order().ToList(), message, managers, term?.ToString(), request.AutoExtend == true);
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

        var connection = Connection.Request(Ids.NewConnectionId(client.Id), agency.Id, client.Id, from.Value.Side, user.Id, now, agencyUsers, permissions, message, managers, term, request.AutoExtend == true);
        var requested = ConnectionActivity.Of(now, ActivityActor.Member(user, from.Value.Id), "connection.requested", connection, agency.Name, client.Name);
        var result = await connections.Open(connection).Record(requested, agency.Id).CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "connection-exists", "Conflict",
                "These accounts already have a pending or active connection.");
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Created($"/api/connections/{connection.Id}", ConnectionResponse.From(connection, now, ConnectionNames.Of(agency, client)));
    }

    public static async Task<Results<Ok<Page<ConnectionResponse>>, ProblemHttpResult>> ListConnections(
        string accountId, string? state, string? direction, int? pageSize, string? continuationToken,
        HttpContext http, AccessResolver access, DataStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var now = time.GetUtcNow();
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

        if ((await access.AuthorizeMemberAsync(http, accountId, null, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        // The list holds what the caller could open one by one: an agency member sees the clients whose connection selects them.
        var role = found.MemberRole;
        bool Wanted(Connection c)
        {
            var side = c.AgencyAccountId == accountId ? ConnectionSide.Agency : ConnectionSide.Client;
            var caller = side == ConnectionSide.Agency ? new ConnectionCaller(found.UserId, role, null) : new ConnectionCaller(found.UserId, null, role);
            return ConnectionDecision.Sees(c, caller, side)
                && (wantedState is null || c.StateAt(now) == wantedState)
                && (direction is null || (c.InitiatedBy == side) == (direction == "outgoing"));
        }

        var page = await store.Data.QueryFilteredPageAsync(accountId, Keys.ConnectionPrefix, size, continuationToken,
            row => DataStore.ToConnection(row) is var connection && Wanted(connection) ? connection : null, ct);
        if (page is null)
        {
            return Paging.InvalidToken();
        }

        var names = await ConnectionNames.ForListAsync(found.Account.Value, page.Items, store, ct);
        return TypedResults.Ok(new Page<ConnectionResponse>([.. page.Items.Select(c => ConnectionResponse.From(c, now, names(c)))], page.ContinuationToken));
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> GetConnection(
        string connectionId, HttpContext http, ConnectionAuthorization connections, TimeProvider time, CancellationToken ct)
    {
        if ((await connections.AuthorizeAsync(http, connectionId, ConnectionOperation.Read, ct)).Denied(out var denied, out var found))
        {
            return denied;
        }

        ETags.Set(http, found.Loaded.Connection.ETag);
        return TypedResults.Ok(ConnectionResponse.From(found.Value, time.GetUtcNow(), ConnectionNames.Of(found.Loaded)));
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Accept(
        string connectionId, AcceptConnectionRequest? request, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var agencyUsers = request?.AgencyUsers is { } au ? ConnectionWire.Selection("agencyUsers", au.All, au.UserIds, validation) : null;
        var permissions = ConnectionWire.Permissions("permissions", request?.Permissions, validation);
        var term = ConnectionWire.Term("duration", request?.Duration, time.GetUtcNow(), validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(connectionId, ConnectionOperation.Accept, http, connections, store, time, (found, at) =>
        {
            var c = found.Value;
            var agency = found.Loaded.Agency.Value;
            if (agencyUsers is not null && (found.Side != ConnectionSide.Agency || agencyUsers.UserIds.Any(u => agency.RoleOf(u) is null)))
            {
                return DomainError.Invalid("agency-users-invalid", "Agency users are chosen by the agency and must be members of the agency account.");
            }

            var outcome = c.Accept(found.Side, at, agencyUsers, permissions, term, request?.AutoExtend);
            if (outcome.Succeeded && request?.AccountManagers is { } managers)
            {
                outcome = found.Side == ConnectionSide.Agency && managers.All(m => agency.RoleOf(m) is { } r && PermissionMatrix.LimitedToManagedClients(r))
                    ? c.ChangeAgencyUsers(c.AgencyUsers, managers, at)
                    : DomainError.Invalid("account-managers-invalid", "Account managers are chosen by the agency among its accountManagers.");
            }

            return outcome;
        }, ct);
    }

    public static Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Decline(
        string connectionId, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(connectionId, ConnectionOperation.Decline, http, connections, store, time, (found, at) => found.Value.Decline(found.Side, at), ct);

    public static Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Cancel(
        string connectionId, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(connectionId, ConnectionOperation.Cancel, http, connections, store, time, (found, at) => found.Value.Cancel(found.Side, at), ct);

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> SetAgencyUsers(
        string connectionId, AgencyUsersRequest request, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var selection = ConnectionWire.Selection("agencyUsers", request.All, request.UserIds, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        return await ChangeAsync(connectionId, ConnectionOperation.ChangeAgencyUsers, http, connections, store, time, (found, at) =>
        {
            var agency = found.Loaded.Agency.Value;
            if (selection!.UserIds.Any(u => agency.RoleOf(u) is null) ||
                request.AccountManagers?.Any(m => agency.RoleOf(m) is not { } r || !PermissionMatrix.LimitedToManagedClients(r)) == true)
            {
                return DomainError.Invalid("agency-users-invalid", "Agency users must be members of the agency account, and account managers its accountManagers.");
            }

            return found.Value.ChangeAgencyUsers(selection, request.AccountManagers, at);
        }, ct, selection, request.AccountManagers);
    }

    /// <summary>
    /// Sets what an active connection grants. The client's orgAdmin sets any connectable actions; the agency's orgAdmin
    /// may only give some up (<see cref="ConnectionDecision"/>). When the client changes it, the agency's admins hear of it.
    /// </summary>
    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> SetPermissions(
        string connectionId, ConnectionPermissionsRequest request, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        if (request.Permissions is null)
        {
            validation.Add("permissions", "This field is required: the actions the connection grants (may be empty).");
        }

        var permissions = ConnectionWire.Permissions("permissions", request.Permissions, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var before = new HashSet<PermissionAction>();
        return await ChangeAsync(connectionId, ConnectionOperation.ChangePermissions, http, connections, store, time, (found, at) =>
        {
            before.UnionWith(found.Value.Permissions);
            return found.Value.ChangePermissions(permissions!, at);
        }, ct, permissions: permissions, alsoInBatch: (found, batch) =>
        {
            if (found.Side != ConnectionSide.Client)
            {
                return;
            }

            var c = found.Value;
            var user = http.User();
            foreach (var admin in found.Loaded.Agency.Value.Members.Where(m => m.Role == Role.OrgAdmin && m.Email.Length > 0))
            {
                batch.Outbox(new Outbox.OutboxEntry(Email.EmailQueue.Name, Email.EmailQueue.ToMessageText(new Email.ConnectionPermissionsChangedEmail(
                    new Email.EmailAddress(admin.Email, admin.Name),
                    $"permissions.{c.Id}.{c.Version}.{admin.UserId}",
                    found.Loaded.Agency.Value.Name,
                    found.Loaded.Client.Value.Name,
                    user.Name,
                    Names(c.Permissions.Except(before)),
                    Names(before.Except(c.Permissions)),
                    Names(c.Permissions)))));
            }
        });
    }

    /// <summary>
    /// Changes when an active connection ends: either side may end it sooner or turn auto-extend off; only the
    /// client's orgAdmin may give it more time or turn auto-extend on (<see cref="ConnectionDecision"/>).
    /// </summary>
    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> SetExpiry(
        string connectionId, ConnectionExpiryRequest request, HttpContext http, ConnectionAuthorization connections, ConnectionStore store, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var now = time.GetUtcNow();
        if (request.Duration is not null && request.ExpiresAt is not null)
        {
            validation.Add("duration", "Give a duration or an end date (expiresAt), not both.");
        }
        else if (request.Duration is null && request.ExpiresAt is null && request.AutoExtend is null)
        {
            validation.Add("duration", "Give a duration, an end date (expiresAt) or autoExtend.");
        }

        var term = ConnectionWire.Term("duration", request.Duration, now, validation);
        var expiresAt = ConnectionWire.Instant("expiresAt", request.ExpiresAt, validation);
        if (validation.Problem is { } problem)
        {
            return problem;
        }

        var expiry = new ExpiryRequest(term, expiresAt, request.AutoExtend, now);
        return await ChangeAsync(connectionId, ConnectionOperation.ChangeExpiry, http, connections, store, time,
            (found, _) => found.Value.ChangeExpiry(expiry), ct, expiry: expiry, at: now);
    }

    private static string Names(IEnumerable<PermissionAction> actions) => string.Join(",", actions.WireNames());

    private static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> ChangeAsync(
        string connectionId,
        ConnectionOperation operation,
        HttpContext http,
        ConnectionAuthorization connections,
        ConnectionStore store,
        TimeProvider time,
        Func<AuthorizedConnection, DateTimeOffset, Outcome> change,
        CancellationToken ct,
        AgencyUserSelection? agencyUsers = null,
        IReadOnlyList<string>? accountManagerIds = null,
        IReadOnlySet<PermissionAction>? permissions = null,
        Action<AuthorizedConnection, PartitionBatch>? alsoInBatch = null,
        ExpiryRequest? expiry = null,
        DateTimeOffset? at = null)
    {
        if ((await connections.AuthorizeAsync(http, connectionId, operation, ct, agencyUsers, accountManagerIds, permissions, expiry)).Denied(out var denied, out var found))
        {
            return denied;
        }

        if (!ETags.IfMatchHolds(http, found.Loaded.Connection.ETag))
        {
            return Problems.PreconditionFailed();
        }

        var now = at ?? time.GetUtcNow();
        var outcome = change(found, now);
        if (!outcome.Succeeded)
        {
            return Problems.Of(outcome.Error!);
        }

        var c = found.Value;
        var batch = store.Save(found.Loaded.Connection, found.Loaded.Client)
            .Record(ConnectionActivity.Of(now, ConnectionActivity.Actor(http.User(), found.Loaded, found.Side), ActionOf(operation), c,
                found.Loaded.Agency.Value.Name, found.Loaded.Client.Value.Name, DetailsOf(operation, c)), c.AgencyAccountId);
        alsoInBatch?.Invoke(found, batch);
        var result = await batch.CommitAsync(ct);
        if (!result.Succeeded)
        {
            return Problems.ConcurrentUpdate();
        }

        ETags.Set(http, result.ETags[0]);
        return TypedResults.Ok(ConnectionResponse.From(found.Value, now, ConnectionNames.Of(found.Loaded)));
    }

    private static string ActionOf(ConnectionOperation operation) => operation switch
    {
        ConnectionOperation.Accept => "connection.accepted",
        ConnectionOperation.Decline => "connection.declined",
        ConnectionOperation.Cancel => "connection.cancelled",
        ConnectionOperation.ChangeAgencyUsers => "connection.agencyUsersChanged",
        ConnectionOperation.ChangePermissions => "connection.permissionsChanged",
        ConnectionOperation.ChangeExpiry => "connection.expiryChanged",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    /// <summary>What the change set, as the entry's details: the scope, the selection, the end date.</summary>
    private static Dictionary<string, string> DetailsOf(ConnectionOperation operation, Connection c)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        if (operation is ConnectionOperation.Accept or ConnectionOperation.ChangePermissions)
        {
            details["permissions"] = Names(c.Permissions);
        }

        if (operation is ConnectionOperation.Accept or ConnectionOperation.ChangeAgencyUsers)
        {
            details["agencyUsers"] = c.AgencyUsers.All ? "all" : string.Join(",", c.AgencyUsers.UserIds);
        }

        if (operation is ConnectionOperation.Accept or ConnectionOperation.ChangeExpiry && c.ExpiresAt is { } end)
        {
            details["expiresAt"] = ActivityEntry.Detail(end);
            details["autoExtend"] = c.AutoExtend ? "true" : "false";
        }

        return details;
    }
}
