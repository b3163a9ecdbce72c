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

/// <summary>Why a connection's access ended after it ran: someone disconnected it, or its end date came.</summary>
public enum DisconnectReason
{
    Requested,
    Expired,
}

/// <summary>What the expiry timer has to do for a connection now (<see cref="Connection.DueAt"/>).</summary>
public enum ExpiryStepKind
{
    None,
    Remind,
    Renew,
    Expire,
}

/// <param name="DaysBefore">For <see cref="ExpiryStepKind.Remind"/>: the threshold reached, one of <see cref="Connection.ReminderDays"/>.</param>
public readonly record struct ExpiryStep(ExpiryStepKind Kind, int DaysBefore = 0)
{
    public static readonly ExpiryStep None = new(ExpiryStepKind.None);
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
/// pending → active | declined | cancelled | expired; active → disconnecting → disconnected (or expired, when its end
/// date came); nothing leaves an end state. An active connection with an end date gives no access from that instant
/// on, whatever its stored state (<see cref="HasLapsed"/>), until the expiry timer carries out the disconnection.
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

    /// <summary>How long the connection lasts once accepted; null: until someone disconnects it.</summary>
    public ConnectionTerm? Term { get; private set; }

    /// <summary>Whether it renews itself by <see cref="Term"/> shortly before <see cref="ExpiresAt"/>.</summary>
    public bool AutoExtend { get; private set; }

    /// <summary>The instant access ends; set on acceptance from <see cref="Term"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>The last reminder threshold passed for the current <see cref="ExpiresAt"/> (sent, or already past when it was set).</summary>
    public int? RemindedDaysBefore { get; private set; }

    /// <summary>Set from the moment access ended after the connection ran.</summary>
    public DisconnectReason? DisconnectReason { get; private set; }

    /// <summary>Grows with every change, so index copies can ignore a stale or repeated update.</summary>
    public long Version { get; private set; }

    public string AccountIdOf(ConnectionSide side) => side == ConnectionSide.Agency ? AgencyAccountId : ClientAccountId;

    public ConnectionSide ReceivingSide => InitiatedBy == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;

    public bool IsActive => State == ConnectionState.Active;

    /// <summary>Admins of both sides hear this many days before the end, once each.</summary>
    public static IReadOnlyList<int> ReminderDays { get; } = [30, 7, 1];

    /// <summary>How long before the end an auto-extending connection renews.</summary>
    public static TimeSpan AutoExtendLead { get; } = TimeSpan.FromHours(1);

    /// <summary>Active, but its end date has come: it gives no access and only the expiry can change it.</summary>
    public bool HasLapsed(DateTimeOffset now) => State == ConnectionState.Active && ExpiresAt <= now;

    public bool IsActiveAt(DateTimeOffset now) => State == ConnectionState.Active && !HasLapsed(now);

    /// <summary>The state a reader sees: <c>expired</c> from the end date on, while the timer catches up and after.</summary>
    public ConnectionState StateAt(DateTimeOffset now) =>
        HasLapsed(now) || (State == ConnectionState.Disconnecting && DisconnectReason == Connections.DisconnectReason.Expired) ? ConnectionState.Expired : State;

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
        IReadOnlyList<string>? accountManagerIds = null,
        ConnectionTerm? term = null,
        bool autoExtend = false) => new(id, agencyAccountId, clientAccountId, initiatedBy)
        {
            Term = term,
            AutoExtend = term is not null && autoExtend,
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
        Term = s.Duration is null ? null : ConnectionTerm.TryParse(s.Duration, out var term) ? term : throw new InvalidDataException($"Stored duration '{s.Duration}' is not ISO 8601."),
        AutoExtend = s.AutoExtend,
        ExpiresAt = s.ExpiresAt,
        RemindedDaysBefore = s.RemindedDaysBefore,
        DisconnectReason = s.DisconnectReason,
    };

    public ConnectionSnapshot ToSnapshot() => new(
        Id, AgencyAccountId, ClientAccountId, InitiatedBy, State, RequestedByUserId, RequestedAt, AcceptedAt, EndedAt,
        DisconnectedAt, DisconnectedByUserId, AgencyUsers, Permissions.Order().ToArray(), AccountManagerIds, Message, Version, DisconnectFailure,
        Term?.ToString(), AutoExtend, ExpiresAt, RemindedDaysBefore, DisconnectReason);

    /// <summary>
    /// The receiving side accepts; it may choose the agency users and narrow the permissions, never widen them, and
    /// shorten the term or turn auto-extend off, never lengthen it (no term asked for is the longest of all).
    /// </summary>
    public Outcome Accept(
        ConnectionSide by,
        DateTimeOffset at,
        AgencyUserSelection? agencyUsers,
        IReadOnlySet<PermissionAction>? permissions,
        ConnectionTerm? term = null,
        bool? autoExtend = null)
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

        if (Term is { } asked && term is not null && term.AddTo(at) > asked.AddTo(at))
        {
            return DomainError.Invalid("connection-duration-lengthened", $"Accepting may shorten the requested duration ({asked}) but not lengthen it.");
        }

        if (Term is not null && !AutoExtend && autoExtend == true)
        {
            return DomainError.Invalid("connection-duration-lengthened", "Accepting may turn auto-extend off but not on.");
        }

        if ((term ?? Term) is null && autoExtend == true)
        {
            return DomainError.Invalid("auto-extend-without-duration", "Auto-extend renews by the duration: give a duration with it.");
        }

        State = ConnectionState.Active;
        AcceptedAt = at;
        AgencyUsers = agencyUsers ?? AgencyUsers;
        Permissions = Narrow(Permissions, permissions);
        Term = term ?? Term;
        AutoExtend = Term is not null && (autoExtend ?? AutoExtend);
        SetEnd(Term?.AddTo(at), at);
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

    /// <summary>
    /// Access ends here; the side effects follow and <see cref="CompleteDisconnect"/> marks them done. A connection
    /// whose end date has come is already over: disconnecting it starts its expiry.
    /// </summary>
    public Outcome BeginDisconnect(string byUserId, DateTimeOffset at)
    {
        if (HasLapsed(at))
        {
            return BeginExpiry(at);
        }

        if (State != ConnectionState.Active)
        {
            return NotActive("be disconnected");
        }

        return StartDisconnecting(Connections.DisconnectReason.Requested, at, byUserId);
    }

    /// <summary>The end date came: the same side effects as a disconnection follow, and the connection ends <c>expired</c>.</summary>
    public Outcome BeginExpiry(DateTimeOffset at)
    {
        if (!HasLapsed(at))
        {
            return DomainError.Conflict("connection-not-lapsed", "Only an active connection whose end date has come can expire.");
        }

        return StartDisconnecting(Connections.DisconnectReason.Expired, ExpiresAt!.Value, byUserId: null);
    }

    private Outcome StartDisconnecting(DisconnectReason reason, DateTimeOffset at, string? byUserId)
    {
        State = ConnectionState.Disconnecting;
        DisconnectReason = reason;
        DisconnectedAt = at;
        DisconnectedByUserId = byUserId;
        Version++;
        return Outcome.Ok;
    }

    /// <summary>
    /// Sets a new end date, auto-extend and term. Whether the caller may lengthen is
    /// <see cref="Permissions.ConnectionDecision"/>'s to say; this keeps the limits: after now, at most two years ahead,
    /// and auto-extend only with a term to renew by.
    /// </summary>
    public Outcome ChangeExpiry(ExpiryRequest request)
    {
        var (at, change) = (request.At, request.For(this));
        if (!IsActiveAt(at))
        {
            return NotActive("change its end date", at);
        }

        if (change.AutoExtend && (change.Term is null || change.ExpiresAt is null))
        {
            return DomainError.Invalid("auto-extend-without-duration", "Auto-extend renews by the duration: give a duration with it.");
        }

        if (change.ExpiresAt is { } end && (end <= at || end > at.AddYears(2)))
        {
            return DomainError.Invalid("connection-expiry-out-of-range", "The end date must be after now and at most two years ahead.");
        }

        Term = change.Term;
        AutoExtend = change.AutoExtend;
        if (change.ExpiresAt != ExpiresAt)
        {
            SetEnd(change.ExpiresAt, at);
        }

        Version++;
        return Outcome.Ok;
    }

    /// <summary>What the expiry timer has to do now: end it, renew it, or send the reminder of the threshold just passed.</summary>
    public ExpiryStep DueAt(DateTimeOffset now)
    {
        if (State != ConnectionState.Active || ExpiresAt is not { } end)
        {
            return ExpiryStep.None;
        }

        if (now >= end)
        {
            return new(ExpiryStepKind.Expire);
        }

        if (AutoExtend)
        {
            return now >= end - AutoExtendLead ? new(ExpiryStepKind.Renew) : ExpiryStep.None;
        }

        var reached = ReminderDays.Where(d => now >= end.AddDays(-d)).DefaultIfEmpty().Min();
        return reached > 0 && (RemindedDaysBefore is null || reached < RemindedDaysBefore) ? new(ExpiryStepKind.Remind, reached) : ExpiryStep.None;
    }

    /// <summary>When <see cref="DueAt"/> next has something to do; null when nothing ever will.</summary>
    public DateTimeOffset? NextDueAt()
    {
        if (State != ConnectionState.Active || ExpiresAt is not { } end)
        {
            return null;
        }

        if (AutoExtend)
        {
            return end - AutoExtendLead;
        }

        return ReminderDays.Where(d => RemindedDaysBefore is null || d < RemindedDaysBefore).Select(d => end.AddDays(-d)).DefaultIfEmpty(end).Min();
    }

    /// <summary>Auto-extend renews the connection by its term from the current end date.</summary>
    public Outcome Renew(DateTimeOffset at)
    {
        if (DueAt(at).Kind != ExpiryStepKind.Renew)
        {
            return DomainError.Conflict("connection-renewal-not-due", "The connection is not due for renewal.");
        }

        SetEnd(Term!.AddTo(ExpiresAt!.Value), at);
        Version++;
        return Outcome.Ok;
    }

    /// <summary>The reminder of <paramref name="daysBefore"/> went out (in the same batch as this change).</summary>
    public Outcome RecordReminder(int daysBefore, DateTimeOffset at)
    {
        if (DueAt(at) != new ExpiryStep(ExpiryStepKind.Remind, daysBefore))
        {
            return DomainError.Conflict("connection-reminder-not-due", "That reminder is not due.");
        }

        RemindedDaysBefore = daysBefore;
        Version++;
        return Outcome.Ok;
    }

    public Outcome CompleteDisconnect()
    {
        if (State is ConnectionState.Disconnected || (State == ConnectionState.Expired && DisconnectReason is not null))
        {
            return Outcome.Ok;
        }

        if (State != ConnectionState.Disconnecting)
        {
            return DomainError.Conflict("connection-not-disconnecting", "The connection is not being disconnected.");
        }

        State = DisconnectReason == Connections.DisconnectReason.Expired ? ConnectionState.Expired : ConnectionState.Disconnected;
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
    public Outcome ChangePermissions(IReadOnlySet<PermissionAction> permissions, DateTimeOffset at)
    {
        if (!IsActiveAt(at))
        {
            return NotActive("change its permissions", at);
        }

        Permissions = Narrow(PermissionActions.Connectable, permissions);
        Version++;
        return Outcome.Ok;
    }

    public Outcome ChangeAgencyUsers(AgencyUserSelection agencyUsers, IReadOnlyList<string>? accountManagerIds, DateTimeOffset at)
    {
        if (State is not (ConnectionState.Pending or ConnectionState.Active) || HasLapsed(at))
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

    /// <summary>A new end date; the reminders whose thresholds it already passed count as sent.</summary>
    private void SetEnd(DateTimeOffset? end, DateTimeOffset at)
    {
        ExpiresAt = end;
        RemindedDaysBefore = end is { } e && ReminderDays.Where(d => at >= e.AddDays(-d)).ToList() is { Count: > 0 } passed ? passed.Min() : null;
    }

    private DomainError NotActive(string verb, DateTimeOffset? at = null) =>
        DomainError.Conflict("connection-not-active", $"Only an active connection can {verb}; this one is {(at is { } now ? StateAt(now) : State).ToString().ToLowerInvariant()}.");

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
    string? DisconnectFailure = null,
    string? Duration = null,
    bool AutoExtend = false,
    DateTimeOffset? ExpiresAt = null,
    int? RemindedDaysBefore = null,
    DisconnectReason? DisconnectReason = null);

/// <summary>
/// What <c>PUT …/expiry</c> asks for at <paramref name="At"/>: a term counted from then, or an end date (keeping the
/// term auto-extend renews by), and auto-extend; whatever is not given stays as it is.
/// </summary>
public sealed record ExpiryRequest(ConnectionTerm? Term, DateTimeOffset? ExpiresAt, bool? AutoExtend, DateTimeOffset At)
{
    /// <summary>The end date, term and auto-extend the connection would have.</summary>
    public ExpiryChange For(Connection connection) =>
        new(Term?.AddTo(At) ?? ExpiresAt ?? connection.ExpiresAt, Term ?? connection.Term, AutoExtend ?? connection.AutoExtend);

    /// <summary>A later end, or auto-extend turned on: only the client grants more time.</summary>
    public bool Lengthens(Connection connection) =>
        For(connection) is var change
        && ((connection.ExpiresAt is { } current && change.ExpiresAt > current) || (change.AutoExtend && !connection.AutoExtend));
}

public readonly record struct ExpiryChange(DateTimeOffset? ExpiresAt, ConnectionTerm? Term, bool AutoExtend);
