using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Functions.Connections;

/// <summary><c>{ "all": true }</c> or <c>{ "userIds": [...] }</c>.</summary>
public sealed record AgencyUsersDto(bool? All, IReadOnlyList<string>? UserIds);

public sealed record CreateConnectionRequest(
    string? TargetAccountId,
    string? TargetEmail,
    AgencyUsersDto? AgencyUsers,
    IReadOnlyList<string>? Permissions,
    string? Message,
    string? Duration = null,
    bool? AutoExtend = null);

/// <param name="Duration">Shorter than the one requested, or none: the requested one stays.</param>
/// <param name="AutoExtend">False turns the requested auto-extend off; it cannot be turned on here.</param>
public sealed record AcceptConnectionRequest(
    AgencyUsersDto? AgencyUsers,
    IReadOnlyList<string>? Permissions,
    IReadOnlyList<string>? AccountManagers,
    string? Duration = null,
    bool? AutoExtend = null);

/// <summary>The body of <c>PUT /api/connections/{id}/expiry</c>: a new duration from now or end date (one of them), and/or auto-extend.</summary>
public sealed record ConnectionExpiryRequest(string? Duration, string? ExpiresAt, bool? AutoExtend);

public sealed record AgencyUsersRequest(bool? All, IReadOnlyList<string>? UserIds, IReadOnlyList<string>? AccountManagers);

public sealed record ConnectionResponse(
    string Id,
    string AgencyAccountId,
    string ClientAccountId,
    string State,
    string InitiatedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? DisconnectedAt,
    DateTimeOffset? EndedAt,
    AgencyUsersDto AgencyUsers,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> AccountManagers,
    string? Message,
    string? DisconnectFailure,
    string? Duration,
    bool AutoExtend,
    DateTimeOffset? ExpiresAt,
    string? DisconnectReason,
    string? AgencyAccountName,
    string? ClientAccountName)
{
    /// <param name="now">The request's time: from <c>expiresAt</c> on, the connection reads <c>expired</c>.</param>
    /// <param name="names">Both sides' names as they are now; null for an account that no longer exists.</param>
    public static ConnectionResponse From(Connection c, DateTimeOffset now, ConnectionNames names) => new(
        c.Id,
        c.AgencyAccountId,
        c.ClientAccountId,
        ConnectionWire.Of(c.StateAt(now)),
        c.InitiatedBy == ConnectionSide.Agency ? "agency" : "client",
        c.RequestedAt,
        c.AcceptedAt,
        c.DisconnectedAt,
        c.EndedAt,
        c.AgencyUsers.All ? new AgencyUsersDto(true, null) : new AgencyUsersDto(null, c.AgencyUsers.UserIds),
        c.Permissions.WireNames(),
        c.AccountManagerIds,
        c.Message,
        c.DisconnectFailure,
        c.Term?.ToString(),
        c.AutoExtend,
        c.ExpiresAt,
        c.DisconnectReason switch
        {
            null => null,
            Domain.Connections.DisconnectReason.Expired => "expired",
            _ => "requested",
        },
        names.Agency,
        names.Client);
}

/// <summary>The names of a connection's two accounts, for its answers: people recognise the other side by name, not id.</summary>
public sealed record ConnectionNames(string? Agency, string? Client)
{
    public static ConnectionNames Of(LoadedConnection loaded) => new(loaded.Agency.Value.Name, loaded.Client.Value.Name);

    public static ConnectionNames Of(Account agency, Account client) => new(agency.Name, client.Name);

    /// <summary>
    /// The names of the accounts on the other side of <paramref name="connections"/> from <paramref name="account"/>,
    /// one point read per distinct account: what a list of one account's connections answers with.
    /// </summary>
    public static async Task<Func<Connection, ConnectionNames>> ForListAsync(Account account, IEnumerable<Connection> connections, DataStore store, CancellationToken ct)
    {
        var names = new Dictionary<string, string?>(StringComparer.Ordinal) { [account.Id] = account.Name };
        foreach (var id in connections.SelectMany(c => new[] { c.AgencyAccountId, c.ClientAccountId }).Distinct(StringComparer.Ordinal).Where(id => !names.ContainsKey(id)).ToList())
        {
            names[id] = (await store.GetAccountAsync(id, ct))?.Value.Name;
        }

        return c => new(names[c.AgencyAccountId], names[c.ClientAccountId]);
    }
}

/// <param name="Permissions">The work the connection grants (all of it by default); naming <c>members.manage</c> asks the client for its team, which it grants when it accepts the invitation.</param>
public sealed record CreateClientRequest(
    string? Name,
    string? Email,
    AgencyUsersDto? AgencyUsers,
    string? Duration = null,
    bool? AutoExtend = null,
    IReadOnlyList<string>? Permissions = null);

/// <param name="Invitation">The invitation e-mailed to the client address, whose acceptance makes its owner orgAdmin.</param>
public sealed record CreateClientResponse(AccountResponse Account, ConnectionResponse Connection, Invitations.InvitationResponse? Invitation = null);

/// <summary>The body of <c>PUT /api/connections/{id}/permissions</c>.</summary>
public sealed record ConnectionPermissionsRequest(IReadOnlyList<string>? Permissions);

public static class ConnectionWire
{
    public static string Of(ConnectionState state) => state switch
    {
        ConnectionState.Pending => "pending",
        ConnectionState.Active => "active",
        ConnectionState.Declined => "declined",
        ConnectionState.Cancelled => "cancelled",
        ConnectionState.Expired => "expired",
        ConnectionState.Disconnecting => "disconnecting",
        _ => "disconnected",
    };

    public static (bool, ConnectionState) State(string? s) =>
        Enum.GetValues<ConnectionState>().FirstOrDefault(v => Of(v) == s) is var v && Of(v) == s ? (true, v) : (false, default);

    /// <summary>Reads an agency-user selection; null (with errors added) when it is malformed.</summary>
    public static AgencyUserSelection? Selection(string field, bool? all, IReadOnlyList<string>? userIds, Validation validation)
    {
        if (all is true && userIds is null)
        {
            return AgencyUserSelection.Everyone;
        }

        if (all is null or false && userIds is not null)
        {
            if (userIds.Count > AgencyUserSelection.MaxUsers)
            {
                validation.Add(field, $"At most {AgencyUserSelection.MaxUsers} users.");
                return null;
            }

            if (userIds.Any(u => string.IsNullOrEmpty(u) || u.Length > Identity.CurrentUser.MaxIdLength || u.Any(char.IsControl)))
            {
                validation.Add(field, "Every user id must be a non-empty id.");
                return null;
            }

            return AgencyUserSelection.Selected(userIds);
        }

        validation.Add(field, "Give either { \"all\": true } or { \"userIds\": [...] }.");
        return null;
    }

    /// <summary>Reads a duration of <c>P1D</c>–<c>P2Y</c> counted from <paramref name="at"/>; null (with an error added when malformed) when absent.</summary>
    public static ConnectionTerm? Term(string field, string? text, DateTimeOffset at, Validation validation)
    {
        if (text is null)
        {
            return null;
        }

        if (!ConnectionTerm.TryParse(text, out var term))
        {
            validation.Add(field, "An ISO 8601 duration, such as P90D, P6M or P1Y.");
            return null;
        }

        if (!term.IsWithinLimits(at))
        {
            validation.Add(field, "At least P1D and at most P2Y.");
            return null;
        }

        return term;
    }

    /// <summary>Reads a duration and auto-extend as a request or a new client gives them: auto-extend needs a duration.</summary>
    public static ConnectionTerm? TermWithAutoExtend(string? duration, bool? autoExtend, DateTimeOffset at, Validation validation)
    {
        if (autoExtend == true && duration is null)
        {
            validation.Add("autoExtend", "Auto-extend renews by the duration: give a duration with it.");
        }

        return Term("duration", duration, at, validation);
    }

    /// <summary>Reads an instant with its offset (<c>2027-03-01T00:00:00Z</c>); null when absent or malformed (with an error added).</summary>
    public static DateTimeOffset? Instant(string field, string? text, Validation validation)
    {
        if (text is null)
        {
            return null;
        }

        if (NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(text) is { Success: true } parsed)
        {
            return parsed.Value.ToDateTimeOffset().ToUniversalTime();
        }

        validation.Add(field, "An ISO 8601 date and time with its offset, such as 2027-03-01T00:00:00Z.");
        return null;
    }

    /// <summary>Reads a permissions list: known, connectable actions only.</summary>
    public static HashSet<PermissionAction>? Permissions(string field, IReadOnlyList<string>? names, Validation validation)
    {
        if (names is null)
        {
            return null;
        }

        var result = new HashSet<PermissionAction>();
        foreach (var name in names.Take(PermissionActions.All.Count + 1))
        {
            if (!PermissionActions.TryParse(name, out var action))
            {
                validation.Add(field, $"Unknown action '{Truncate(name)}'.");
            }
            else if (!PermissionActions.Connectable.Contains(action))
            {
                validation.Add(field, $"'{name}' cannot be given through a connection.");
            }
            else
            {
                result.Add(action);
            }
        }

        if (names.Count > PermissionActions.All.Count)
        {
            validation.Add(field, "Too many actions.");
        }

        return result;
    }

    private static string Truncate(string? s) => s is null ? "null" : s.Length > 40 ? s[..40] + "…" : s;
}
