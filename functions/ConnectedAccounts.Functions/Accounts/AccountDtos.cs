using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Permissions;
using ConnectedAccounts.Functions.Accounts;
using ConnectedAccounts.Functions.Http;

namespace ConnectedAccounts.Functions.Accounts;

public sealed record CreateAccountRequest(string? Name, string? Kind);

public sealed record UpdateAccountRequest(string? Name, string? ConnectionDirection);

public sealed record AccountResponse(
    string Id,
    string Name,
    string Kind,
    string Status,
    string OrganisationId,
    string ConnectionDirection,
    string? CreatedByAccountId,
    DateTimeOffset CreatedAt)
{
    public static AccountResponse From(Account a) => new(
        a.Id, a.Name, Wire.Of(a.Kind), Wire.Of(a.Status), a.OrganisationId, Wire.Of(a.ConnectionDirection), a.CreatedByAccountId, a.CreatedAt);
}

public sealed record SwitcherEntry(string Id, string Name, string Kind, string Status, string Role, string Access, string? ViaAccountId);

public sealed record PermissionsResponse(IReadOnlyList<string> Actions);

public sealed record MemberResponse(string UserId, string Email, string Name, string Role)
{
    public static MemberResponse From(Member m) => new(m.UserId, m.Email, m.Name, m.Role.WireName());
}

public sealed record ChangeRoleRequest(string? Role);

/// <summary>Wire names of the account enums, in one place.</summary>
public static class Wire
{
    public static string Of(AccountKind kind) => kind == AccountKind.Agency ? "agency" : "client";

    public static string Of(AccountStatus status) => status == AccountStatus.Active ? "active" : "archived";

    public static string Of(ConnectionDirection d) => d == ConnectionDirection.CanRequestAccess ? "canRequestAccess" : "canGrantAccess";

    public static (bool, AccountKind) Kind(string? s) => s switch
    {
        "agency" => (true, AccountKind.Agency),
        "client" => (true, AccountKind.Client),
        _ => (false, default),
    };

    public static (bool, ConnectionDirection) Direction(string? s) => s switch
    {
        "canRequestAccess" => (true, ConnectionDirection.CanRequestAccess),
        "canGrantAccess" => (true, ConnectionDirection.CanGrantAccess),
        _ => (false, default),
    };

    public static (bool, Role) Role(string? s) => Roles.TryParse(s, out var r) ? (true, r) : (false, default);

    public const string RoleNames = "orgAdmin, accountManager, regularUser, viewOnly";
}
