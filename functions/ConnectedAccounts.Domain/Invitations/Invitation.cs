using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Invitations;

public enum InvitationKind
{
    /// <summary>Connect the inviting account with one the invitee administers (or creates on accepting).</summary>
    Connection,

    /// <summary>Join the inviting account with a role.</summary>
    Member,

    /// <summary>Claim a client account an agency created: the accepter becomes its orgAdmin.</summary>
    ClientAccount,
}

public enum InvitationState
{
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,

    /// <summary>A resend replaced it: its link is dead, the successor carries the same terms.</summary>
    Superseded,
}

/// <summary>What a connection invitation offers, fixed when it is sent.</summary>
public sealed record ConnectionTerms(
    ConnectionSide FromSide,
    AgencyUserSelection? AgencyUsers,
    IReadOnlyList<PermissionAction>? Permissions,
    string? Message,
    IReadOnlyList<string>? AccountManagerIds = null,
    string? Duration = null,
    bool AutoExtend = false);

/// <summary>What a member invitation offers: a role, and optionally fewer actions than the role allows.</summary>
public sealed record MemberTerms(Role Role, IReadOnlyList<PermissionAction>? Actions);

/// <summary>
/// An invitation sent by e-mail, stored under the hash of its token. Single use, expiring, bound to one
/// (normalised) e-mail address. Accepting is two steps because its effect lands in another partition: the
/// claim (<see cref="Accept"/>) makes this row say who won, and <see cref="Complete"/> records that the effect
/// was applied; a claim whose effect could not apply is released with <see cref="Release"/>.
/// </summary>
public sealed class Invitation
{
    private Invitation(InvitationSnapshot s)
    {
        Snapshot = s;
    }

    private InvitationSnapshot Snapshot { get; set; }

    public string Id => Snapshot.Id;

    public string TokenHash => Snapshot.TokenHash;

    public InvitationKind Kind => Snapshot.Kind;

    public string Email => Snapshot.Email;

    public string FromAccountId => Snapshot.FromAccountId;

    public string FromAccountName => Snapshot.FromAccountName;

    public string InvitedByUserId => Snapshot.InvitedByUserId;

    public string InvitedByName => Snapshot.InvitedByName;

    public string InvitedByEmail => Snapshot.InvitedByEmail;

    public DateTimeOffset CreatedAt => Snapshot.CreatedAt;

    public DateTimeOffset ExpiresAt => Snapshot.ExpiresAt;

    public InvitationState State => Snapshot.State;

    public DateTimeOffset? EndedAt => Snapshot.EndedAt;

    public ConnectionTerms? Connection => Snapshot.Connection;

    public MemberTerms? Member => Snapshot.Member;

    /// <summary>For a client-account invitation: the account the accepter claims.</summary>
    public string? ClientAccountId => Snapshot.ClientAccountId;

    public string? ClientAccountName => Snapshot.ClientAccountName;

    /// <summary>
    /// For a client-account invitation: what the agency asks beyond the account's first grant (only
    /// <c>members.manage</c>, which no first grant carries).
    /// </summary>
    public IReadOnlyList<PermissionAction> AskedPermissions => Snapshot.AskedPermissions ?? [];

    /// <summary>Once accepted: what the invitee granted of <see cref="AskedPermissions"/>.</summary>
    public IReadOnlyList<PermissionAction> GrantedPermissions => Snapshot.GrantedPermissions ?? [];

    public string? AcceptedByUserId => Snapshot.AcceptedByUserId;

    /// <summary>The account the acceptance applies to: the one joined, claimed, or chosen as the other side.</summary>
    public string? AcceptedAccountId => Snapshot.AcceptedAccountId;

    /// <summary>Set when the accepter asked for a new account: its name (the id is <see cref="AcceptedAccountId"/>).</summary>
    public string? NewAccountName => Snapshot.NewAccountName;

    /// <summary>Whether the effect of an acceptance has been applied.</summary>
    public bool Completed => Snapshot.Completed;

    public string? SupersededById => Snapshot.SupersededById;

    public string? SupersededByHash => Snapshot.SupersededByHash;

    public bool ExpiryNotified => Snapshot.ExpiryNotified;

    public bool IsEnded => State is not InvitationState.Pending && !(State is InvitationState.Accepted && !Completed);

    public static Invitation Create(
        string id,
        string tokenHash,
        InvitationKind kind,
        string email,
        string fromAccountId,
        string fromAccountName,
        string invitedByUserId,
        string invitedByName,
        string invitedByEmail,
        DateTimeOffset at,
        TimeSpan lifetime,
        ConnectionTerms? connection = null,
        MemberTerms? member = null,
        string? clientAccountId = null,
        string? clientAccountName = null,
        IReadOnlyList<PermissionAction>? askedPermissions = null) =>
        new(new InvitationSnapshot(
            id, tokenHash, kind, InvitationEmail.Normalize(email), fromAccountId, fromAccountName, invitedByUserId, invitedByName, invitedByEmail,
            at, at + lifetime, InvitationState.Pending, null, connection, member, clientAccountId, clientAccountName, null, null, null, false, null, null, false,
            askedPermissions is { Count: > 0 } ? askedPermissions.Distinct().Order().ToArray() : null));

    public static Invitation Restore(InvitationSnapshot snapshot) => new(snapshot);

    public InvitationSnapshot ToSnapshot() => Snapshot;

    public bool IsAddressedTo(string email) => string.Equals(InvitationEmail.Normalize(email), Email, StringComparison.Ordinal);

    /// <summary>Pending and not past its expiry, whether or not the cleanup has marked it yet.</summary>
    public bool IsOpen(DateTimeOffset now) => State == InvitationState.Pending && now < ExpiresAt;

    /// <summary>Why this invitation cannot be used now, as the signed-in invitee should hear it; null when it can.</summary>
    public DomainError? Refusal(DateTimeOffset now) => State switch
    {
        InvitationState.Pending when now < ExpiresAt => null,
        InvitationState.Pending or InvitationState.Expired => InvitationErrors.Expired,
        InvitationState.Cancelled => InvitationErrors.Cancelled,
        InvitationState.Superseded => InvitationErrors.Superseded,
        _ => InvitationErrors.Used,
    };

    /// <summary>The claim: exactly one accepter wins, because the row is written with the ETag it was read at.</summary>
    /// <param name="granted">Of <see cref="AskedPermissions"/>, the ones the invitee grants; null grants them all.</param>
    public Outcome Accept(string userId, string email, string accountId, string? newAccountName, DateTimeOffset at, IReadOnlySet<PermissionAction>? granted = null)
    {
        if (Refusal(at) is { } refusal)
        {
            return refusal;
        }

        if (!IsAddressedTo(email))
        {
            return InvitationErrors.EmailMismatch;
        }

        Snapshot = Snapshot with
        {
            State = InvitationState.Accepted,
            EndedAt = at,
            AcceptedByUserId = userId,
            AcceptedAccountId = accountId,
            NewAccountName = newAccountName,
            Completed = false,
            GrantedPermissions = AskedPermissions.Where(a => granted?.Contains(a) ?? true).ToArray(),
        };
        return Outcome.Ok;
    }

    public Outcome Complete()
    {
        if (State != InvitationState.Accepted)
        {
            return InvitationErrors.Used;
        }

        Snapshot = Snapshot with { Completed = true };
        return Outcome.Ok;
    }

    /// <summary>Gives back a claim whose effect was refused (the accounts changed in between): pending again.</summary>
    public Outcome Release()
    {
        if (State != InvitationState.Accepted || Completed)
        {
            return InvitationErrors.Used;
        }

        Snapshot = Snapshot with { State = InvitationState.Pending, EndedAt = null, AcceptedByUserId = null, AcceptedAccountId = null, NewAccountName = null, GrantedPermissions = null };
        return Outcome.Ok;
    }

    public Outcome Decline(string email, DateTimeOffset at)
    {
        if (Refusal(at) is { } refusal)
        {
            return refusal;
        }

        return IsAddressedTo(email) ? End(InvitationState.Declined, at) : InvitationErrors.EmailMismatch;
    }

    public Outcome Cancel(DateTimeOffset at) =>
        State == InvitationState.Pending ? End(InvitationState.Cancelled, at) : InvitationErrors.NotPending(State);

    /// <summary>Marks a pending invitation past its expiry; refuses one that is still live or already ended.</summary>
    public Outcome Expire(DateTimeOffset at) =>
        State != InvitationState.Pending ? InvitationErrors.NotPending(State)
        : at < ExpiresAt ? DomainError.Conflict("invitation-not-expired", "The invitation has not expired yet.")
        : End(InvitationState.Expired, at);

    public void MarkExpiryNotified() => Snapshot = Snapshot with { ExpiryNotified = true };

    /// <summary>A pending or expired invitation can be sent again: this one dies, <paramref name="successorId"/> takes over.</summary>
    public Outcome Supersede(string successorId, string successorHash, DateTimeOffset at)
    {
        if (State is not (InvitationState.Pending or InvitationState.Expired))
        {
            return InvitationErrors.NotPending(State);
        }

        Snapshot = Snapshot with
        {
            State = InvitationState.Superseded,
            EndedAt = State == InvitationState.Pending ? at : EndedAt,
            SupersededById = successorId,
            SupersededByHash = successorHash,
        };
        return Outcome.Ok;
    }

    /// <summary>The same terms under a new id and token, with a fresh lifetime.</summary>
    public Invitation Successor(string id, string tokenHash, DateTimeOffset at, TimeSpan lifetime) =>
        new(Snapshot with
        {
            Id = id,
            TokenHash = tokenHash,
            CreatedAt = at,
            ExpiresAt = at + lifetime,
            State = InvitationState.Pending,
            EndedAt = null,
            AcceptedByUserId = null,
            AcceptedAccountId = null,
            NewAccountName = null,
            Completed = false,
            SupersededById = null,
            SupersededByHash = null,
            ExpiryNotified = false,
        });

    /// <summary>When the stored row may be deleted: a retention period after it ended.</summary>
    public bool IsPastRetention(DateTimeOffset now, TimeSpan retention) => IsEnded && EndedAt is { } ended && now >= ended + retention;

    private Outcome End(InvitationState state, DateTimeOffset at)
    {
        Snapshot = Snapshot with { State = state, EndedAt = at };
        return Outcome.Ok;
    }
}

/// <summary>Every field of an invitation, as stored.</summary>
public sealed record InvitationSnapshot(
    string Id,
    string TokenHash,
    InvitationKind Kind,
    string Email,
    string FromAccountId,
    string FromAccountName,
    string InvitedByUserId,
    string InvitedByName,
    string InvitedByEmail,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    InvitationState State,
    DateTimeOffset? EndedAt,
    ConnectionTerms? Connection,
    MemberTerms? Member,
    string? ClientAccountId,
    string? ClientAccountName,
    string? AcceptedByUserId,
    string? AcceptedAccountId,
    string? NewAccountName,
    bool Completed,
    string? SupersededById,
    string? SupersededByHash,
    bool ExpiryNotified,
    IReadOnlyList<PermissionAction>? AskedPermissions = null,
    IReadOnlyList<PermissionAction>? GrantedPermissions = null);

/// <summary>The reasons a signed-in invitee hears; an anonymous caller hears none of them.</summary>
public static class InvitationErrors
{
    public static readonly DomainError Used = DomainError.Conflict("invitation-used", "This invitation has already been answered.");

    public static readonly DomainError Expired = DomainError.Conflict("invitation-expired", "This invitation has expired; ask the sender for a new one.");

    public static readonly DomainError Cancelled = DomainError.Conflict("invitation-cancelled", "The sender cancelled this invitation.");

    public static readonly DomainError Superseded = DomainError.Conflict("invitation-superseded", "A newer invitation replaced this one; use the link in the latest e-mail.");

    public static readonly DomainError EmailMismatch = DomainError.Forbidden("invitation-email-mismatch", "This invitation was sent to another e-mail address; sign in with that address.");

    public static DomainError NotPending(InvitationState state) =>
        DomainError.Conflict("invitation-not-pending", $"Only a pending invitation can change; this one is {state.ToString().ToLowerInvariant()}.");
}
