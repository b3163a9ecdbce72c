using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;

namespace ConnectedAccounts.Domain.Permissions;

/// <summary>What a user does with a connection itself (the work on the client account is <see cref="AccessDecision"/>'s).</summary>
public enum ConnectionOperation
{
    Read,
    Accept,
    Decline,
    Cancel,
    ChangeAgencyUsers,
    ChangePermissions,
    ChangeExpiry,
    PreviewDisconnect,
    Disconnect,
    ReadActivity,
}

/// <summary>The caller and their roles on the connection's two accounts, as read from those accounts' rows.</summary>
public sealed record ConnectionCaller(string UserId, Role? AgencyRole, Role? ClientRole)
{
    public Role? RoleOn(ConnectionSide side) => side == ConnectionSide.Agency ? AgencyRole : ClientRole;
}

/// <summary>The answer: the side the caller acts for, or why not (not found: the caller cannot see the connection).</summary>
public readonly record struct ConnectionVerdict(ConnectionSide? Side, DomainError? Error)
{
    public bool Allowed => Error is null;
}

/// <summary>
/// Who may do what with a connection: the caller's role on the side they act for × the operation's matrix action ×
/// (on the agency side) whether the connection selects them and, for an account manager, whether they manage the
/// client. Every connection route asks this; nothing else decides it.
/// </summary>
public static class ConnectionDecision
{
    /// <summary>The matrix action each operation needs; reading needs only to see the connection.</summary>
    public static PermissionAction? ActionOf(ConnectionOperation operation) => operation switch
    {
        ConnectionOperation.Read => null,
        // Setting what a connection grants is accepting it again, for what it now grants.
        ConnectionOperation.Accept or ConnectionOperation.ChangePermissions => PermissionAction.ConnectionsAccept,
        // Declining ends a link before it starts, as disconnecting ends one that runs.
        ConnectionOperation.Decline => PermissionAction.ConnectionsDisconnect,
        // Cancelling withdraws what the sender sent; choosing agency users is the agency's side of the request.
        ConnectionOperation.Cancel or ConnectionOperation.ChangeAgencyUsers => PermissionAction.ConnectionsRequest,
        // A connection's history is for the managers who may end it: orgAdmins and its account managers.
        ConnectionOperation.PreviewDisconnect or ConnectionOperation.Disconnect or ConnectionOperation.ReadActivity => PermissionAction.ConnectionsDisconnect,
        // Ending sooner is disconnecting ahead of time; lengthening is accepting for longer (see Refusal).
        ConnectionOperation.ChangeExpiry => PermissionAction.ConnectionsDisconnect,
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    /// <summary>Whether the caller, from this side, sees the connection at all (else it answers 404).</summary>
    public static bool Sees(Connection connection, ConnectionCaller caller, ConnectionSide side) => caller.RoleOn(side) switch
    {
        null => false,
        _ when side == ConnectionSide.Client => true,
        { } role when PermissionMatrix.ReachesEveryClient(role) => true,
        { } role => connection.AgencyUsers.Includes(caller.UserId)
            && (!PermissionMatrix.LimitedToManagedClients(role) || connection.AccountManagerIds.Contains(caller.UserId, StringComparer.Ordinal)),
    };

    /// <param name="agencyUsers">For <see cref="ConnectionOperation.ChangeAgencyUsers"/>: the selection asked for.</param>
    /// <param name="accountManagerIds">For <see cref="ConnectionOperation.ChangeAgencyUsers"/>: the managers asked for, if any.</param>
    /// <param name="permissions">For <see cref="ConnectionOperation.ChangePermissions"/>: the permissions asked for.</param>
    /// <param name="expiry">For <see cref="ConnectionOperation.ChangeExpiry"/>: the end date, term and auto-extend asked for.</param>
    public static ConnectionVerdict Decide(
        Connection connection,
        ConnectionCaller caller,
        ConnectionOperation operation,
        AgencyUserSelection? agencyUsers = null,
        IReadOnlyList<string>? accountManagerIds = null,
        IReadOnlySet<PermissionAction>? permissions = null,
        ExpiryRequest? expiry = null)
    {
        // A user in both accounts acts for the side the operation belongs to, else for the receiving side.
        var sides = new[] { RequiredSide(connection, operation) ?? connection.ReceivingSide }
            .Append(Other(RequiredSide(connection, operation) ?? connection.ReceivingSide))
            .Where(side => Sees(connection, caller, side))
            .ToList();
        if (sides.Count == 0)
        {
            return new(null, DomainError.NotFound("not-found", "The connection does not exist or is not visible to you."));
        }

        DomainError? refusal = null;
        foreach (var side in sides)
        {
            if (Refusal(connection, caller, operation, side, agencyUsers, accountManagerIds, permissions, expiry) is not { } refused)
            {
                return new(side, null);
            }

            refusal ??= refused;
        }

        return new(null, refusal);
    }

    private static DomainError? Refusal(
        Connection connection, ConnectionCaller caller, ConnectionOperation operation, ConnectionSide side,
        AgencyUserSelection? agencyUsers, IReadOnlyList<string>? accountManagerIds, IReadOnlySet<PermissionAction>? permissions, ExpiryRequest? expiry)
    {
        if (RequiredSide(connection, operation) is { } required && required != side)
        {
            return WrongSide(operation);
        }

        var role = caller.RoleOn(side)!.Value;
        if (ActionOf(operation) is { } action && !PermissionMatrix.Allows(role, action))
        {
            return DomainError.Forbidden("forbidden", $"Your role on the {Name(side)} account ({role.WireName()}) does not allow '{action.WireName()}'.");
        }

        if (operation == ConnectionOperation.ChangeAgencyUsers && !PermissionMatrix.ReachesEveryClient(role)
            && (Widens(connection.AgencyUsers, agencyUsers) || ChangesManagers(connection.AccountManagerIds, accountManagerIds)))
        {
            return DomainError.Forbidden("agency-users-widened",
                $"An {role.WireName()} may only narrow who works on this client; adding agency users or changing who manages it is for the agency's orgAdmin.");
        }

        if (operation == ConnectionOperation.ChangePermissions && side == ConnectionSide.Agency && permissions?.IsSubsetOf(connection.Permissions) == false)
        {
            return DomainError.Forbidden("connection-permissions-widened",
                "The agency may give permissions up, never add them: only the client's orgAdmin widens what a connection grants.");
        }

        if (operation == ConnectionOperation.ChangeExpiry && expiry?.Lengthens(connection) == true
            && (side != ConnectionSide.Client || !PermissionMatrix.Allows(role, PermissionAction.ConnectionsAccept)))
        {
            return DomainError.Forbidden("connection-expiry-lengthened",
                "Either side may end a connection sooner; only the client's orgAdmin gives it more time or turns auto-extend on.");
        }

        return null;
    }

    private static ConnectionSide? RequiredSide(Connection connection, ConnectionOperation operation) => operation switch
    {
        ConnectionOperation.Accept or ConnectionOperation.Decline => connection.ReceivingSide,
        ConnectionOperation.Cancel => connection.InitiatedBy,
        ConnectionOperation.ChangeAgencyUsers => ConnectionSide.Agency,
        _ => null,
    };

    private static DomainError WrongSide(ConnectionOperation operation) => operation switch
    {
        ConnectionOperation.Accept => DomainError.Forbidden("connection-accept-by-sender", "Only the side that received the request can accept it."),
        ConnectionOperation.Decline => DomainError.Forbidden("connection-decline-by-sender", "Only the side that received the request can decline it; the sender cancels."),
        ConnectionOperation.Cancel => DomainError.Forbidden("connection-cancel-by-receiver", "Only the side that sent the request can cancel it; the receiver declines."),
        _ => DomainError.Forbidden("agency-users-by-client", "Only the agency chooses its agency users."),
    };

    private static bool Widens(AgencyUserSelection current, AgencyUserSelection? wanted) =>
        wanted is not null && !current.All && (wanted.All || wanted.UserIds.Any(u => !current.Includes(u)));

    private static bool ChangesManagers(IReadOnlyList<string> current, IReadOnlyList<string>? wanted) =>
        wanted is not null && !wanted.ToHashSet(StringComparer.Ordinal).SetEquals(current);

    private static ConnectionSide Other(ConnectionSide side) => side == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;

    private static string Name(ConnectionSide side) => side == ConnectionSide.Agency ? "agency" : "client";
}
