using System.Text.Json.Serialization;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// One e-mail to one recipient, as it travels through the outbox and the queue: the facts to tell, not the
/// rendered text, so that a wording fix applies to messages already queued. Links arrive fully built by the
/// code that created the invitation (from configuration, never from a request's Host header).
/// </summary>
/// <remarks>
/// The hierarchy is closed (the constructor is <c>private protected</c>) so that the renderer's switch covers
/// every kind and the <c>kind</c> discriminator names every type a queue message can hold.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ConnectionRequestedEmail), "connectionRequested")]
[JsonDerivedType(typeof(ConnectionAcceptedEmail), "connectionAccepted")]
[JsonDerivedType(typeof(ConnectionDeclinedEmail), "connectionDeclined")]
[JsonDerivedType(typeof(InvitationExpiredEmail), "invitationExpired")]
[JsonDerivedType(typeof(MemberInvitedEmail), "memberInvited")]
[JsonDerivedType(typeof(ClientAccountCreatedEmail), "clientAccountCreated")]
[JsonDerivedType(typeof(DisconnectedEmail), "disconnected")]
[JsonDerivedType(typeof(ConnectionPermissionsChangedEmail), "connectionPermissionsChanged")]
[JsonDerivedType(typeof(ConnectionExpiringEmail), "connectionExpiring")]
[JsonDerivedType(typeof(ConnectionExtendedEmail), "connectionExtended")]
public abstract record EmailRequest
{
    private protected EmailRequest(EmailAddress to, string idempotencyKey)
    {
        To = to;
        IdempotencyKey = idempotencyKey;
    }

    public EmailAddress To { get; }

    /// <summary>Stable for one logical e-mail (for example invitation id + kind + recipient), so redelivery is harmless.</summary>
    public string IdempotencyKey { get; }
}

/// <summary>Someone asks the recipient's side to connect; the link accepts (or declines) the request.</summary>
public sealed record ConnectionRequestedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string FromAccountName,
    string SenderName,
    string? Message,
    Uri AcceptLink,
    DateTimeOffset ExpiresAt) : EmailRequest(To, IdempotencyKey);

/// <summary>Tells the requester that the other side accepted.</summary>
public sealed record ConnectionAcceptedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string YourAccountName,
    string OtherAccountName,
    string AcceptedByName,
    Uri ConnectionLink) : EmailRequest(To, IdempotencyKey);

/// <summary>Tells the requester that the other side declined.</summary>
public sealed record ConnectionDeclinedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string YourAccountName,
    string OtherAccountName,
    string DeclinedByName) : EmailRequest(To, IdempotencyKey);

/// <summary>Tells the inviter that an invitation lapsed unanswered; the link re-sends it in one click.</summary>
public sealed record InvitationExpiredEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AccountName,
    string InviteeAddress,
    DateTimeOffset ExpiredAt,
    Uri ResendLink) : EmailRequest(To, IdempotencyKey);

/// <summary>Invites a person to become a member of an account with a role.</summary>
public sealed record MemberInvitedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AccountName,
    string InviterName,
    string Role,
    Uri AcceptLink,
    DateTimeOffset ExpiresAt) : EmailRequest(To, IdempotencyKey);

/// <summary>An agency created a client account for the recipient; the link lets them claim it.</summary>
public sealed record ClientAccountCreatedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AgencyName,
    string ClientAccountName,
    Uri AcceptLink,
    DateTimeOffset ExpiresAt,
    bool AsksTeam = false) : EmailRequest(To, IdempotencyKey);

/// <summary>
/// Sent to the admins of both sides once a disconnection's side effects are done, so the counts are final.
/// </summary>
/// <param name="ToAgency">Whether the recipient is an admin of the agency: each side is told what happens to it.</param>
/// <param name="Expired">The connection reached its end date (<paramref name="DisconnectedAt"/>) rather than being disconnected.</param>
/// <param name="ConnectAgainLink">For an expired connection: where the recipient's side connects again.</param>
public sealed record DisconnectedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AgencyAccountName,
    string ClientAccountName,
    string DisconnectedByName,
    string DisconnectedByAccountName,
    DateTimeOffset DisconnectedAt,
    int IntegrationsPaused,
    int ReportsArchived,
    bool ClientAccountArchived,
    bool OrganisationRemoved,
    bool ToAgency = false,
    bool Expired = false,
    Uri? ConnectAgainLink = null) : EmailRequest(To, IdempotencyKey);

/// <summary>Sent to the agency's admins when the client changes what a connection grants.</summary>
/// <param name="Added">Action names, comma-separated (a string, so that the record compares by value).</param>
public sealed record ConnectionPermissionsChangedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AgencyAccountName,
    string ClientAccountName,
    string ChangedByName,
    string Added,
    string Removed,
    string Permissions) : EmailRequest(To, IdempotencyKey);

/// <summary>
/// Sent to the admins of both sides 30, 7 and 1 day before a connection's end date. The link extends it (for the
/// client, who alone may) or opens the connection to ask for an extension (for the agency).
/// </summary>
public sealed record ConnectionExpiringEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AgencyAccountName,
    string ClientAccountName,
    DateTimeOffset ExpiresAt,
    int DaysBefore,
    bool ToAgency,
    Uri Link) : EmailRequest(To, IdempotencyKey);

/// <summary>Sent to the admins of both sides when auto-extend renewed a connection; the link changes or asks to change it.</summary>
public sealed record ConnectionExtendedEmail(
    EmailAddress To,
    string IdempotencyKey,
    string AgencyAccountName,
    string ClientAccountName,
    DateTimeOffset PreviousExpiresAt,
    DateTimeOffset ExpiresAt,
    bool ToAgency,
    Uri Link) : EmailRequest(To, IdempotencyKey);
