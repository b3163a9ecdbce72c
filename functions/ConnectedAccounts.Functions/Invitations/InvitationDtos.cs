using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Invitations;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Email;

namespace ConnectedAccounts.Functions.Invitations;

/// <summary>What an anonymous visitor of a link learns: no ids, no addresses.</summary>
/// <param name="AsksPermissions">For a client account: what the agency asks beyond the work (<c>members.manage</c>), granted on accepting unless the accept leaves it out.</param>
public sealed record InvitationPreview(string Kind, string FromAccountName, DateTimeOffset ExpiresAt, IReadOnlyList<string> AsksPermissions);

public sealed record InvitationResponse(
    string Id,
    string Kind,
    string State,
    string Email,
    string FromAccountId,
    string FromAccountName,
    string InvitedByName,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? Role,
    IReadOnlyList<string>? Actions,
    string? ClientAccountId,
    IReadOnlyList<string> AsksPermissions)
{
    public static InvitationResponse From(Invitation i) => new(
        i.Id,
        InvitationWire.Of(i.Kind),
        InvitationWire.Of(i.State),
        i.Email,
        i.FromAccountId,
        i.FromAccountName,
        i.InvitedByName,
        i.CreatedAt,
        i.ExpiresAt,
        i.Member?.Role.WireName(),
        i.Member?.Actions?.Select(a => a.WireName()).ToList() ?? i.Connection?.Permissions?.Select(a => a.WireName()).ToList(),
        i.ClientAccountId,
        i.AskedPermissions.WireNames());
}

public sealed record NewAccountDto(string? Name);

/// <summary>For a connection invitation: the account that becomes the other side, or a new one to create.</summary>
/// <param name="Permissions">For a client account: which of the asked permissions to grant (none: <c>[]</c>); without it, all of them.</param>
public sealed record AcceptInvitationRequest(string? AccountId, NewAccountDto? NewAccount, IReadOnlyList<string>? Permissions = null);

public sealed record InvitationAcceptedResponse(string Id, string Kind, string State, string AccountId, ConnectionResponse? Connection);

public sealed record InviteMemberRequest(string? Email, string? Role, IReadOnlyList<string>? Actions);

public static class InvitationWire
{
    public static string Of(InvitationKind kind) => kind switch
    {
        InvitationKind.Connection => "connection",
        InvitationKind.Member => "member",
        _ => "clientAccount",
    };

    public static string Of(InvitationState state) => state switch
    {
        InvitationState.Pending => "pending",
        InvitationState.Accepted => "accepted",
        InvitationState.Declined => "declined",
        InvitationState.Cancelled => "cancelled",
        InvitationState.Expired => "expired",
        _ => "superseded",
    };
}

/// <summary>The e-mail of each invitation event, with idempotency keys stable per invitation and kind.</summary>
public static class InvitationEmails
{
    /// <summary>The invitation itself, to the invitee, carrying the only copy of the token.</summary>
    public static EmailRequest Invite(Invitation i, string token, EmailOptions options)
    {
        var to = new EmailAddress(i.Email, null);
        var link = options.InvitationLink(token);
        return i.Kind switch
        {
            InvitationKind.Member => new MemberInvitedEmail(to, Key(i, "memberInvited"), i.FromAccountName, i.InvitedByName, i.Member!.Role.WireName(), link, i.ExpiresAt),
            InvitationKind.ClientAccount => new ClientAccountCreatedEmail(to, Key(i, "clientAccountCreated"), i.FromAccountName, i.ClientAccountName ?? i.FromAccountName, link, i.ExpiresAt,
                i.AskedPermissions.Contains(PermissionAction.MembersManage)),
            _ => new ConnectionRequestedEmail(to, Key(i, "connectionRequested"), i.FromAccountName, i.InvitedByName, i.Connection?.Message, link, i.ExpiresAt),
        };
    }

    public static EmailRequest Accepted(Invitation i, string otherAccountName, string acceptedByName, string connectionId, EmailOptions options) =>
        new ConnectionAcceptedEmail(Inviter(i), Key(i, "connectionAccepted"), i.FromAccountName, otherAccountName, acceptedByName,
            new Uri($"{options.PublicBaseUrl.TrimEnd('/')}/connections/{connectionId}", UriKind.Absolute));

    public static EmailRequest Declined(Invitation i, string declinedByName) =>
        new ConnectionDeclinedEmail(Inviter(i), Key(i, "connectionDeclined"), i.FromAccountName, i.Email, declinedByName);

    public static EmailRequest Expired(Invitation i, EmailOptions options) =>
        new InvitationExpiredEmail(Inviter(i), Key(i, "invitationExpired"), i.FromAccountName, i.Email, i.ExpiresAt, ResendLink(i, options));

    /// <summary>The one-click resend the expiry e-mail offers (a frontend page that posts the resend).</summary>
    public static Uri ResendLink(Invitation i, EmailOptions options) =>
        new($"{options.PublicBaseUrl.TrimEnd('/')}/accounts/{i.FromAccountId}/invitations/{i.Id}/resend", UriKind.Absolute);

    private static EmailAddress Inviter(Invitation i) => new(i.InvitedByEmail, i.InvitedByName);

    private static string Key(Invitation i, string kind) => $"{i.Id}:{kind}";

    public static ConnectionSide Other(ConnectionSide side) => side == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;
}
