namespace ConnectedAccounts.Domain.Permissions;

/// <summary>The table of API.md: which role may do which action.</summary>
public static class PermissionMatrix
{
    private static readonly IReadOnlySet<PermissionAction> Managers = new HashSet<PermissionAction>(
        PermissionActions.All.Where(a => a != PermissionAction.ConnectionsAccept));

    private static readonly IReadOnlySet<PermissionAction> OrgAdmins = new HashSet<PermissionAction>(PermissionActions.All);

    private static readonly IReadOnlySet<PermissionAction> RegularUsers = new HashSet<PermissionAction>
    {
        PermissionAction.ItemsCreate,
        PermissionAction.ItemsReadWrite,
        PermissionAction.ReportsCreate,
        PermissionAction.ReportsConfigure,
        PermissionAction.ReportsRead,
        PermissionAction.ReportsExport,
        PermissionAction.DataExportExternal,
    };

    private static readonly IReadOnlySet<PermissionAction> Viewers = new HashSet<PermissionAction>
    {
        PermissionAction.ReportsRead,
        PermissionAction.ReportsExport,
    };

    public static IReadOnlySet<PermissionAction> ActionsOf(Role role) => role switch
    {
        Role.OrgAdmin => OrgAdmins,
        Role.AccountManager => Managers,
        Role.RegularUser => RegularUsers,
        Role.ViewOnly => Viewers,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool Allows(Role role, PermissionAction action) => ActionsOf(role).Contains(action);

    /// <summary>An agency's orgAdmin sees and manages every connection of the agency, selected as an agency user or not.</summary>
    public static bool ReachesEveryClient(Role role) => role == Role.OrgAdmin;

    /// <summary>"An account manager works only on the client accounts they are account manager for."</summary>
    public static bool LimitedToManagedClients(Role role) => role == Role.AccountManager;
}
