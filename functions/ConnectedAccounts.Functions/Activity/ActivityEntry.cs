using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Identity;

namespace ConnectedAccounts.Functions.Activity;

/// <param name="Via"><c>member</c> (acting on their own account), <c>connection</c> (an agency user on a client), or <c>system</c> (a job).</param>
public sealed record ActivityActor(string? UserId, string? Email, string Name, string? AccountId, string Via)
{
    /// <summary>The expiry timer, the disconnection worker and the invitation cleanup act as the service itself.</summary>
    public static readonly ActivityActor System = new(null, null, "Connected Accounts", null, "system");

    public static ActivityActor Member(CurrentUser user, string accountId) => new(user.Id, user.Email, user.Name, accountId, "member");

    /// <param name="agencyAccountId">The agency the user acts for, through its connection to the account.</param>
    public static ActivityActor ThroughConnection(CurrentUser user, string agencyAccountId) => new(user.Id, user.Email, user.Name, agencyAccountId, "connection");

    /// <summary>The caller as their access to the account says: a member of it, or an agency user through a connection.</summary>
    public static ActivityActor For(CurrentUser user, Accounts.AccountAccess access) =>
        access.ViaAgencyAccountId is { } agency ? ThroughConnection(user, agency) : Member(user, access.Value.Id);
}

/// <param name="Type"><c>account</c>, <c>member</c>, <c>connection</c>, <c>invitation</c>, <c>report</c>, <c>item</c> or <c>integration</c>.</param>
public sealed record ActivitySubject(string Type, string Id, string? Name = null);

/// <summary>
/// One entry of an account's trail: who did what to which thing. It is written in the same batch as the change it
/// describes, in the partition of the account it belongs to, so neither exists without the other.
/// </summary>
/// <param name="Action">A stable dotted name such as <c>connection.accepted</c> (README, "Activity").</param>
/// <param name="Details">A few named facts of the change (e.g. the new role); never a copy of the resource.</param>
public sealed record ActivityEntry(
    string Id,
    DateTimeOffset At,
    ActivityActor Actor,
    string Action,
    ActivitySubject Subject,
    string? ConnectionId,
    IReadOnlyDictionary<string, string> Details)
{
    public static ActivityEntry Of(DateTimeOffset at, ActivityActor actor, string action, ActivitySubject subject, string? connectionId = null, IReadOnlyDictionary<string, string>? details = null) =>
        new(Domain.Common.Ids.New("act"), at, actor, action, subject, connectionId, details ?? new Dictionary<string, string>());

    /// <summary>An instant as the details give it: ISO 8601 with its offset.</summary>
    public static string Detail(DateTimeOffset at) => at.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The entries of connections: in the client's partition, beside the connection, and in the connection's own history.</summary>
public static class ConnectionActivity
{
    public static ActivityEntry Of(DateTimeOffset at, ActivityActor actor, string action, Domain.Connections.Connection connection, string agencyName, string clientName, IReadOnlyDictionary<string, string>? details = null) =>
        ActivityEntry.Of(at, actor, action, new ActivitySubject("connection", connection.Id, $"{agencyName} → {clientName}"), connection.Id, details);

    /// <summary>The user acting on a connection for one of its sides, as a member of that side's account.</summary>
    public static ActivityActor Actor(Identity.CurrentUser user, Connections.LoadedConnection loaded, Domain.Connections.ConnectionSide side) =>
        ActivityActor.Member(user, side == Domain.Connections.ConnectionSide.Agency ? loaded.Agency.Value.Id : loaded.Client.Value.Id);
}

/// <summary>
/// The entries of invitations. An invitation lives in a partition of its own, so its entry is written there, in the
/// change's batch, and reaches the inviting account's trail as a copy through the outbox.
/// </summary>
public static class InvitationActivity
{
    /// <summary>The invitee answering: not (yet) a member of the account.</summary>
    public static ActivityActor Invitee(CurrentUser user) => new(user.Id, user.Email, user.Name, null, "invitee");

    public static ActivityEntry Of(DateTimeOffset at, ActivityActor actor, string action, Domain.Invitations.Invitation invitation) =>
        ActivityEntry.Of(at, actor, action, new ActivitySubject("invitation", invitation.Id, invitation.Email), details: new Dictionary<string, string>
        {
            ["kind"] = Invitations.InvitationWire.Of(invitation.Kind),
            ["role"] = invitation.Member?.Role.WireName() ?? (invitation.Kind == Domain.Invitations.InvitationKind.ClientAccount ? "orgAdmin" : ""),
            ["expiresAt"] = ActivityEntry.Detail(invitation.ExpiresAt),
        });
}
