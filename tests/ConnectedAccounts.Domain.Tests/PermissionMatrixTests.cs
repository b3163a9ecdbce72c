using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

public class PermissionMatrixTests
{
    /// <summary>The table of API.md, typed by hand: one row per action and role, 12 × 4 = 48 rows.</summary>
    public static TheoryData<string, string, bool> ApiMatrix { get; } = new()
    {
        { "integrations.createAndMap", "orgAdmin", true },
        { "integrations.createAndMap", "accountManager", true },
        { "integrations.createAndMap", "regularUser", false },
        { "integrations.createAndMap", "viewOnly", false },

        { "items.create", "orgAdmin", true },
        { "items.create", "accountManager", true },
        { "items.create", "regularUser", true },
        { "items.create", "viewOnly", false },

        { "items.readWrite", "orgAdmin", true },
        { "items.readWrite", "accountManager", true },
        { "items.readWrite", "regularUser", true },
        { "items.readWrite", "viewOnly", false },

        { "reports.create", "orgAdmin", true },
        { "reports.create", "accountManager", true },
        { "reports.create", "regularUser", true },
        { "reports.create", "viewOnly", false },

        { "reports.configure", "orgAdmin", true },
        { "reports.configure", "accountManager", true },
        { "reports.configure", "regularUser", true },
        { "reports.configure", "viewOnly", false },

        { "reports.read", "orgAdmin", true },
        { "reports.read", "accountManager", true },
        { "reports.read", "regularUser", true },
        { "reports.read", "viewOnly", true },

        { "reports.export", "orgAdmin", true },
        { "reports.export", "accountManager", true },
        { "reports.export", "regularUser", true },
        { "reports.export", "viewOnly", true },

        { "data.exportExternal", "orgAdmin", true },
        { "data.exportExternal", "accountManager", true },
        { "data.exportExternal", "regularUser", true },
        { "data.exportExternal", "viewOnly", false },

        { "connections.request", "orgAdmin", true },
        { "connections.request", "accountManager", true },
        { "connections.request", "regularUser", false },
        { "connections.request", "viewOnly", false },

        { "connections.accept", "orgAdmin", true },
        { "connections.accept", "accountManager", false },
        { "connections.accept", "regularUser", false },
        { "connections.accept", "viewOnly", false },

        { "connections.disconnect", "orgAdmin", true },
        { "connections.disconnect", "accountManager", true },
        { "connections.disconnect", "regularUser", false },
        { "connections.disconnect", "viewOnly", false },

        { "members.manage", "orgAdmin", true },
        { "members.manage", "accountManager", true },
        { "members.manage", "regularUser", false },
        { "members.manage", "viewOnly", false },
    };

    private static readonly Dictionary<(Role, PermissionAction), bool> ByRoleAndAction = ApiMatrix.ToDictionary(
        row => (ParseRole((string)row[1]), ParseAction((string)row[0])),
        row => (bool)row[2]);

    /// <summary>The hand-typed table as a lookup, for the other table tests.</summary>
    internal static bool ApiAllows(Role role, PermissionAction action) => ByRoleAndAction[(role, action)];

    public static TheoryData<PermissionAction, string> ActionWireNames { get; } = new()
    {
        { PermissionAction.IntegrationsCreateAndMap, "integrations.createAndMap" },
        { PermissionAction.ItemsCreate, "items.create" },
        { PermissionAction.ItemsReadWrite, "items.readWrite" },
        { PermissionAction.ReportsCreate, "reports.create" },
        { PermissionAction.ReportsConfigure, "reports.configure" },
        { PermissionAction.ReportsRead, "reports.read" },
        { PermissionAction.ReportsExport, "reports.export" },
        { PermissionAction.DataExportExternal, "data.exportExternal" },
        { PermissionAction.ConnectionsRequest, "connections.request" },
        { PermissionAction.ConnectionsAccept, "connections.accept" },
        { PermissionAction.ConnectionsDisconnect, "connections.disconnect" },
        { PermissionAction.MembersManage, "members.manage" },
    };

    public static TheoryData<Role, string> RoleWireNames { get; } = new()
    {
        { Role.OrgAdmin, "orgAdmin" },
        { Role.AccountManager, "accountManager" },
        { Role.RegularUser, "regularUser" },
        { Role.ViewOnly, "viewOnly" },
    };

    public static TheoryData<string?> UnknownNames { get; } = new()
    {
        null,
        "",
        " ",
        "OrgAdmin",
        "REPORTS.READ",
        "reports.read ",
        "reports",
        "admin",
        "ReportsRead",
    };

    [Theory]
    [MemberData(nameof(ApiMatrix))]
    public void The_matrix_answers_as_the_API_table_says(string action, string role, bool allowed) =>
        Assert.Equal(allowed, PermissionMatrix.Allows(ParseRole(role), ParseAction(action)));

    [Fact]
    public void The_hand_typed_table_covers_every_action_and_role_exactly_once()
    {
        Assert.Equal(48, ApiMatrix.Count);
        Assert.Equal(48, ByRoleAndAction.Count);
        Assert.Equal(12, Enum.GetValues<PermissionAction>().Length);
        Assert.Equal(4, Enum.GetValues<Role>().Length);
        foreach (var role in Enum.GetValues<Role>())
        {
            foreach (var action in Enum.GetValues<PermissionAction>())
            {
                Assert.True(ByRoleAndAction.ContainsKey((role, action)), $"{role}/{action} is missing from the table");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RoleWireNames))]
    public void Actions_of_a_role_are_exactly_the_yes_cells_of_its_column(Role role, string wireName)
    {
        var expected = Enum.GetValues<PermissionAction>().Where(a => ApiAllows(role, a)).Order().ToArray();

        Assert.Equal(expected, PermissionMatrix.ActionsOf(role).Order().ToArray());
        Assert.Equal(role.WireName(), wireName);
    }

    [Fact]
    public void Only_an_org_admin_accepts_connections() =>
        Assert.Equal([Role.OrgAdmin], Enum.GetValues<Role>().Where(r => PermissionMatrix.Allows(r, PermissionAction.ConnectionsAccept)));

    [Fact]
    public void An_unknown_role_is_a_bug_not_a_refusal() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PermissionMatrix.ActionsOf((Role)99));

    [Theory]
    [MemberData(nameof(ActionWireNames))]
    public void An_action_round_trips_through_its_wire_name(PermissionAction action, string wireName)
    {
        Assert.Equal(wireName, action.WireName());
        Assert.True(PermissionActions.TryParse(wireName, out var parsed));
        Assert.Equal(action, parsed);
    }

    [Theory]
    [MemberData(nameof(RoleWireNames))]
    public void A_role_round_trips_through_its_wire_name(Role role, string wireName)
    {
        Assert.Equal(wireName, role.WireName());
        Assert.True(Roles.TryParse(wireName, out var parsed));
        Assert.Equal(role, parsed);
    }

    [Fact]
    public void Every_action_and_role_has_a_distinct_wire_name()
    {
        Assert.Equal(PermissionActions.All.Count, PermissionActions.All.Select(a => a.WireName()).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4, Enum.GetValues<Role>().Select(r => r.WireName()).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enum.GetValues<PermissionAction>(), PermissionActions.All);
    }

    [Theory]
    [MemberData(nameof(UnknownNames))]
    public void An_unknown_or_differently_cased_name_parses_as_neither_action_nor_role(string? name)
    {
        Assert.False(PermissionActions.TryParse(name, out _));
        Assert.False(Roles.TryParse(name, out _));
    }

    private static Role ParseRole(string name) =>
        Roles.TryParse(name, out var role) ? role : throw new InvalidOperationException($"The table names an unknown role '{name}'.");

    private static PermissionAction ParseAction(string name) =>
        PermissionActions.TryParse(name, out var action) ? action : throw new InvalidOperationException($"The table names an unknown action '{name}'.");
}
