using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Connections;

public enum ConnectionState
{
    Pending,
    Active,
    Declined,
    Cancelled,
    Expired,
    Disconnecting,
    Disconnected,
}

/// <summary>The side of a connection: the agency gains access, the client grants it.</summary>
public enum ConnectionSide
{
    Agency,
    Client,
}

/// <summary>Which agency users may act on the client: all of the agency's members, or the ones named.</summary>
public sealed record AgencyUserSelection(bool All, IReadOnlyList<string> UserIds)
{
    public const int MaxUsers = 500;

    public static readonly AgencyUserSelection Everyone = new(true, []);

    public static AgencyUserSelection Selected(IEnumerable<string> userIds) =>
        new(false, userIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    public bool Includes(string userId) => All || UserIds.Contains(userId, StringComparer.Ordinal);
}

/// <summary>
/// A link between one agency account and one client account, and its state machine:
/// pending → active | declined | cancelled | expired; active → disconnecting → disconnected; nothing leaves an end state.
/// </summary>
public sealed class Connection
{
    private Connection(string id, string agencyAccountId, string clientAccountId, ConnectionSide initiatedBy)
    {
        Id = id;
        AgencyAccountId = agencyAccountId;
        ClientAccountId = clientAccountId;
        InitiatedBy = initiatedBy;
    }

    public string Id { get; }

    public string AgencyAccountId { get; }

    public string ClientAccountId { get; }

    public ConnectionSide InitiatedBy { get; }

    public ConnectionState State { get; private set; }

    public string RequestedByUserId { get; private set; } = "";

    public DateTimeOffset RequestedAt { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    /// <summary>When it was declined, cancelled or expired.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public DateTimeOffset? DisconnectedAt { get; private set; }

    public string? DisconnectedByUserId { get; private set; }

    public AgencyUserSelection AgencyUsers { get; private set; } = AgencyUserSelection.Everyone;

    public IReadOnlySet<PermissionAction> Permissions { get; private set; } = PermissionActions.ByDefault;

    /// <summary>Agency account managers who manage this client; an account manager not listed has no access.</summary>
    public IReadOnlyList<string> AccountManagerIds { get; private set; } = [];

    public string? Message { get; private set; }

    /// <summary>Set when a side effect of the disconnection kept failing and went to the poison queue.</summary>
    public string? DisconnectFailure { get; private set; }

    /// <summary>Grows with every change, so index copies can ignore a stale or repeated update.</summary>
    public long Version { get; private set; }

    public string AccountIdOf(ConnectionSide side) => side == ConnectionSide.Agency ? AgencyAccountId : ClientAccountId;

    public ConnectionSide ReceivingSide => InitiatedBy == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;

    public bool IsActive => State == ConnectionState.Active;

    public static Connection Request(
        string id,
        string agencyAccountId,
        string clientAccountId,
        ConnectionSide initiatedBy,
        string requestedByUserId,
        DateTimeOffset at,
        AgencyUserSelection? agencyUsers,
        IReadOnlySet<PermissionAction>? permissions,
        string? message,
        IReadOnlyList<string>? accountManagerIds = null) => new(id, agencyAccountId, clientAccountId, initiatedBy)
        {
            State = ConnectionState.Pending,
            RequestedByUserId = requestedByUserId,
            RequestedAt = at,
            AgencyUsers = agencyUsers ?? AgencyUserSelection.Everyone,
            Permissions = permissions is null ? PermissionActions.ByDefault : Narrow(PermissionActions.Connectable, permissions),
            AccountManagerIds = accountManagerIds?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() ?? [],
            Message = message,
            Version = 1,
        };

    /// <summary>Rebuilds a connection read from storage; no rule runs.</summary>
    public static Connection Restore(ConnectionSnapshot s) => new(s.Id, s.AgencyAccountId, s.ClientAccountId, s.InitiatedBy)
    {
        State = s.State,
        RequestedByUserId = s.RequestedByUserId,
        RequestedAt = s.RequestedAt,
        AcceptedAt = s.AcceptedAt,
        EndedAt = s.EndedAt,
        DisconnectedAt = s.DisconnectedAt,
        DisconnectedByUserId = s.DisconnectedByUserId,
        AgencyUsers = s.AgencyUsers,
        Permissions = s.Permissions.ToHashSet(),
        AccountManagerIds = s.AccountManagerIds,
        Message = s.Message,
        DisconnectFailure = s.DisconnectFailure,
        Version = s.Version,
    };

    public ConnectionSnapshot ToSnapshot() => new(
        Id, AgencyAccountId, ClientAccountId, InitiatedBy, State, RequestedByUserId, RequestedAt, AcceptedAt, EndedAt,
        DisconnectedAt, DisconnectedByUserId, AgencyUsers, Permissions.Order().ToArray(), AccountManagerIds, Message, Version, DisconnectFailure);

    /// <summary>The receiving side accepts; it may choose the agency users and narrow the permissions, never widen them.</summary>
    public Outcome Accept(ConnectionSide by, DateTimeOffset at, AgencyUserSelection? agencyUsers, IReadOnlySet<PermissionAction>? permissions)
    {
        if (State != ConnectionState.Pending)
        {
            return NotPending("accept");
        }

        if (by != ReceivingSide)
        {
            return DomainError.Forbidden("connection-accept-by-sender", "Only the side that received the request can accept it.");
        }

        if (permissions is not null && !permissions.IsSubsetOf(Permissions))
        {
            return DomainError.Invalid("connection-permissions-widened", "Accepting may narrow the requested permissions but not add to them.");
        }

        State = ConnectionState.Active;
        AcceptedAt = at;
        AgencyUsers = agencyUsers ?? AgencyUsers;
        Permissions = Narrow(Permissions, permissions);
        Version++;
        return Outcome.Ok;
    }

    public Outcome Decline(ConnectionSide by, DateTimeOffset at)
    {
        if (State != ConnectionState.Pending)
        {
            return NotPending("decline");
        }

        if (by != ReceivingSide)
        {
            return DomainError.Forbidden("connection-decline-by-sender", "Only the side that received the request can decline it; the sender cancels.");
        }

        return End(ConnectionState.Declined, at);
    }

    public Outcome Cancel(ConnectionSide by, DateTimeOffset at)
    {
        if (State != ConnectionState.Pending)
        {
            return NotPending("cancel");
        }

        if (by != InitiatedBy)
        {
            return DomainError.Forbidden("connection-cancel-by-receiver", "Only the side that sent the request can cancel it; the receiver declines.");
        }

        return End(ConnectionState.Cancelled, at);
    }

    public Outcome Expire(DateTimeOffset at) => State == ConnectionState.Pending ? End(ConnectionState.Expired, at) : NotPending("expire");

    /// <summary>Access ends here; the side effects follow and <see cref="CompleteDisconnect"/> marks them done.</summary>
    public Outcome BeginDisconnect(string byUserId, DateTimeOffset at)
    {
        if (State != ConnectionState.Active)
        {
            return DomainError.Conflict("connection-not-active", $"Only an active connection can be disconnected; this one is {State.ToString().ToLowerInvariant()}.");
        }

        State = ConnectionState.Disconnecting;
        DisconnectedAt = at;
        DisconnectedByUserId = byUserId;
        Version++;
        return Outcome.Ok;
    }

    public Outcome CompleteDisconnect()
    {
        if (State == ConnectionState.Disconnected)
        {
            return Outcome.Ok;
        }

        if (State != ConnectionState.Disconnecting)
        {
            return DomainError.Conflict("connection-not-disconnecting", "The connection is not being disconnected.");
        }

        State = ConnectionState.Disconnected;
        DisconnectFailure = null;
        Version++;
        return Outcome.Ok;
    }

    /// <summary>Records why the side effects stopped; the connection stays disconnecting (access is already gone).</summary>
    public Outcome RecordDisconnectFailure(string failure)
    {
        if (State != ConnectionState.Disconnecting)
        {
            return DomainError.Conflict("connection-not-disconnecting", "The connection is not being disconnected.");
        }

        DisconnectFailure = failure;
        Version++;
        return Outcome.Ok;
    }

    /// <summary>
    /// The scope of an active connection changes: any connectable actions (who may widen it is
    /// <see cref="Permissions.ConnectionDecision"/>'s to say).
    /// </summary>
    public Outcome ChangePermissions(IReadOnlySet<PermissionAction> permissions)
    {
        if (State != ConnectionState.Active)
        {
            return DomainError.Conflict("connection-not-active", $"Only an active connection's permissions can change; this one is {State.ToString().ToLowerInvariant()}.");
        }

        Permissions = Narrow(PermissionActions.Connectable, permissions);
        Version++;
        return Outcome.Ok;
    }

    public Outcome ChangeAgencyUsers(AgencyUserSelection agencyUsers, IReadOnlyList<string>? accountManagerIds)
    {
        if (State is not (ConnectionState.Pending or ConnectionState.Active))
        {
            return DomainError.Conflict("connection-ended", "The agency users of an ended connection cannot change.");
        }

        AgencyUsers = agencyUsers;
        AccountManagerIds = accountManagerIds?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() ?? AccountManagerIds;
        Version++;
        return Outcome.Ok;
    }

    private static HashSet<PermissionAction> Narrow(IReadOnlySet<PermissionAction> current, IReadOnlySet<PermissionAction>? requested)
    {
        var result = new HashSet<PermissionAction>(current);
        if (requested is not null)
        {
            result.IntersectWith(requested);
        }

        return result;
    }

    private Outcome End(ConnectionState state, DateTimeOffset at)
    {
        State = state;
        EndedAt = at;
        Version++;
        return Outcome.Ok;
    }

    private DomainError NotPending(string verb) =>
        DomainError.Conflict("connection-not-pending", $"Only a pending connection can {verb}; this one is {State.ToString().ToLowerInvariant()}.");
}

/// <summary>Every field of a connection, for storage and index copies.</summary>
public sealed record ConnectionSnapshot(
    string Id,
    string AgencyAccountId,
    string ClientAccountId,
    ConnectionSide InitiatedBy,
    ConnectionState State,
    string RequestedByUserId,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? DisconnectedAt,
    string? DisconnectedByUserId,
    AgencyUserSelection AgencyUsers,
    IReadOnlyList<PermissionAction> Permissions,
    IReadOnlyList<string> AccountManagerIds,
    string? Message,
    long Version,
    string? DisconnectFailure = null);
