namespace ConnectedAccounts.Domain.Permissions;

/// <summary>
/// A user's role on an account. <see cref="OrgAdmin"/> holds on every account of the organisation: it is written
/// on each of them when the account joins the organisation, so every decision reads one account's row.
/// </summary>
public enum Role
{
    OrgAdmin,
    AccountManager,
    RegularUser,
    ViewOnly,
}

public static class Roles
{
    public static string WireName(this Role role) => role switch
    {
        Role.OrgAdmin => "orgAdmin",
        Role.AccountManager => "accountManager",
        Role.RegularUser => "regularUser",
        Role.ViewOnly => "viewOnly",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? name, out Role role)
    {
        foreach (var candidate in Enum.GetValues<Role>())
        {
            if (string.Equals(candidate.WireName(), name, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}
