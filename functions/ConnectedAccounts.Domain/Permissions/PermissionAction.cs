namespace ConnectedAccounts.Domain.Permissions;

/// <summary>The actions of the permission matrix (API.md). Wire names are <see cref="PermissionActions.WireName"/>.</summary>
public enum PermissionAction
{
    IntegrationsCreateAndMap,
    ItemsCreate,
    ItemsReadWrite,
    ReportsCreate,
    ReportsConfigure,
    ReportsRead,
    ReportsExport,
    DataExportExternal,
    ConnectionsRequest,
    ConnectionsAccept,
    ConnectionsDisconnect,
    MembersManage,
}

public static class PermissionActions
{
    private static readonly Dictionary<PermissionAction, string> Names = new()
    {
        [PermissionAction.IntegrationsCreateAndMap] = "integrations.createAndMap",
        [PermissionAction.ItemsCreate] = "items.create",
        [PermissionAction.ItemsReadWrite] = "items.readWrite",
        [PermissionAction.ReportsCreate] = "reports.create",
        [PermissionAction.ReportsConfigure] = "reports.configure",
        [PermissionAction.ReportsRead] = "reports.read",
        [PermissionAction.ReportsExport] = "reports.export",
        [PermissionAction.DataExportExternal] = "data.exportExternal",
        [PermissionAction.ConnectionsRequest] = "connections.request",
        [PermissionAction.ConnectionsAccept] = "connections.accept",
        [PermissionAction.ConnectionsDisconnect] = "connections.disconnect",
        [PermissionAction.MembersManage] = "members.manage",
    };

    private static readonly Dictionary<string, PermissionAction> ByName =
        Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static IReadOnlyList<PermissionAction> All { get; } = Enum.GetValues<PermissionAction>();

    /// <summary>
    /// What a connection can hand to agency users at most: the work, and the client's team when the client's
    /// orgAdmin grants <see cref="PermissionAction.MembersManage"/>. Requesting, accepting and ending connections stay
    /// with the client's own people: a connection is access to the work, not to the relationship.
    /// </summary>
    public static IReadOnlySet<PermissionAction> Connectable { get; } = new HashSet<PermissionAction>
    {
        PermissionAction.MembersManage,
        PermissionAction.IntegrationsCreateAndMap,
        PermissionAction.ItemsCreate,
        PermissionAction.ItemsReadWrite,
        PermissionAction.ReportsCreate,
        PermissionAction.ReportsConfigure,
        PermissionAction.ReportsRead,
        PermissionAction.ReportsExport,
        PermissionAction.DataExportExternal,
    };

    /// <summary>What a connection carries when nobody names its permissions: the work, never the client's team.</summary>
    public static IReadOnlySet<PermissionAction> ByDefault { get; } = Connectable.Where(a => a != PermissionAction.MembersManage).ToHashSet();

    public static string WireName(this PermissionAction action) => Names[action];

    /// <summary>The wire names of <paramref name="actions"/> in the matrix's order, as every answer lists them.</summary>
    public static IReadOnlyList<string> WireNames(this IEnumerable<PermissionAction> actions) => actions.Order().Select(WireName).ToList();

    public static bool TryParse(string? name, out PermissionAction action) => ByName.TryGetValue(name ?? "", out action);
}
