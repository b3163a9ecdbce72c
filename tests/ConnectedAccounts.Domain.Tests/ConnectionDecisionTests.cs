using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

/// <summary>
/// Who may do what with a connection, as a table written from API.md: a connection the agency requested, selecting
/// the agency users "selected" and managed by "manager". Each row: the operation, the caller's side and role,
/// whether the connection selects them and whether they manage the client, and the answer — the side they act for,
/// "404" (they do not see it) or the code of the 403.
/// </summary>
public class ConnectionDecisionTests
{
    private const string Me = "usr-me";
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<ConnectionOperation, string, Role, bool, bool, string> Table { get; } = new()
    {
        // Reading: the client's members all see it; on the agency, an orgAdmin always, others when selected, an account manager when also managing.
        { ConnectionOperation.Read, "client", Role.ViewOnly, false, false, "client" },
        { ConnectionOperation.Read, "agency", Role.OrgAdmin, false, false, "agency" },
        { ConnectionOperation.Read, "agency", Role.RegularUser, true, false, "agency" },
        { ConnectionOperation.Read, "agency", Role.RegularUser, false, false, "404" },
        { ConnectionOperation.Read, "agency", Role.AccountManager, true, true, "agency" },
        { ConnectionOperation.Read, "agency", Role.AccountManager, true, false, "404" },
        { ConnectionOperation.Read, "agency", Role.AccountManager, false, true, "404" },

        // Accepting: the receiving side (the client), with connections.accept: its orgAdmin only.
        { ConnectionOperation.Accept, "client", Role.OrgAdmin, false, false, "client" },
        { ConnectionOperation.Accept, "client", Role.AccountManager, false, false, "forbidden" },
        { ConnectionOperation.Accept, "agency", Role.OrgAdmin, true, false, "connection-accept-by-sender" },

        // Declining: the receiving side, with connections.disconnect.
        { ConnectionOperation.Decline, "client", Role.AccountManager, false, false, "client" },
        { ConnectionOperation.Decline, "client", Role.RegularUser, false, false, "forbidden" },
        { ConnectionOperation.Decline, "agency", Role.OrgAdmin, false, false, "connection-decline-by-sender" },

        // Cancelling: the sending side (the agency), with connections.request.
        { ConnectionOperation.Cancel, "agency", Role.AccountManager, true, true, "agency" },
        { ConnectionOperation.Cancel, "agency", Role.ViewOnly, true, false, "forbidden" },
        { ConnectionOperation.Cancel, "client", Role.OrgAdmin, false, false, "connection-cancel-by-receiver" },

        // Agency users: the agency, with connections.request; see ChangesAgencyUsers for widening.
        { ConnectionOperation.ChangeAgencyUsers, "agency", Role.OrgAdmin, false, false, "agency" },
        { ConnectionOperation.ChangeAgencyUsers, "agency", Role.AccountManager, true, true, "agency" },
        { ConnectionOperation.ChangeAgencyUsers, "agency", Role.AccountManager, true, false, "404" },
        { ConnectionOperation.ChangeAgencyUsers, "agency", Role.RegularUser, true, false, "forbidden" },
        { ConnectionOperation.ChangeAgencyUsers, "client", Role.OrgAdmin, false, false, "agency-users-by-client" },

        // Disconnecting and its preview: either side, with connections.disconnect.
        { ConnectionOperation.Disconnect, "client", Role.AccountManager, false, false, "client" },
        { ConnectionOperation.Disconnect, "client", Role.RegularUser, false, false, "forbidden" },
        { ConnectionOperation.Disconnect, "agency", Role.AccountManager, true, true, "agency" },
        { ConnectionOperation.Disconnect, "agency", Role.AccountManager, true, false, "404" },
        { ConnectionOperation.Disconnect, "agency", Role.OrgAdmin, false, false, "agency" },
        { ConnectionOperation.PreviewDisconnect, "agency", Role.ViewOnly, true, false, "forbidden" },
        { ConnectionOperation.PreviewDisconnect, "client", Role.OrgAdmin, false, false, "client" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_decision_answers_as_the_table_says(ConnectionOperation operation, string side, Role role, bool selected, bool manages, string expected)
    {
        var connection = Requested(selected, manages);
        var caller = side == "agency" ? new ConnectionCaller(Me, role, null) : new ConnectionCaller(Me, null, role);

        var verdict = ConnectionDecision.Decide(connection, caller, operation);

        Assert.Equal(expected, verdict switch
        {
            { Allowed: true, Side: ConnectionSide.Agency } => "agency",
            { Allowed: true } => "client",
            { Error.Kind: ErrorKind.NotFound } => "404",
            _ => verdict.Error!.Code,
        });
    }

    [Theory]
    [InlineData(Role.OrgAdmin, "all", null, "agency")]
    [InlineData(Role.OrgAdmin, "other", "other", "agency")]
    [InlineData(Role.AccountManager, "me", null, "agency")]
    [InlineData(Role.AccountManager, "me,other", null, "agency")]
    [InlineData(Role.AccountManager, "me,third", null, "agency-users-widened")]
    [InlineData(Role.AccountManager, "all", null, "agency-users-widened")]
    [InlineData(Role.AccountManager, "me", "me", "agency")]
    [InlineData(Role.AccountManager, "me", "me,other", "agency-users-widened")]
    [InlineData(Role.AccountManager, "me", "", "agency-users-widened")]
    public void Only_an_orgAdmin_widens_agency_users_or_changes_who_manages_the_client(Role role, string users, string? managers, string expected)
    {
        var connection = Requested(selected: true, manages: true);
        var wanted = users == "all" ? AgencyUserSelection.Everyone : AgencyUserSelection.Selected(users.Split(',').Select(u => u == "me" ? Me : "usr-" + u));
        var managerIds = managers?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => u == "me" ? Me : "usr-" + u).ToList();

        var verdict = ConnectionDecision.Decide(connection, new ConnectionCaller(Me, role, null), ConnectionOperation.ChangeAgencyUsers, wanted, managerIds);

        Assert.Equal(expected, verdict.Allowed ? "agency" : verdict.Error!.Code);
    }

    [Theory]
    [InlineData("client", Role.OrgAdmin, "reports.read", "client")]
    [InlineData("client", Role.OrgAdmin, "reports.read,members.manage", "client")]
    [InlineData("client", Role.AccountManager, "reports.read", "forbidden")]
    [InlineData("agency", Role.OrgAdmin, "reports.read", "agency")]
    [InlineData("agency", Role.OrgAdmin, "reports.read,members.manage", "connection-permissions-widened")]
    [InlineData("agency", Role.AccountManager, "reports.read", "forbidden")]
    public void The_clients_orgAdmin_sets_a_connections_scope_and_the_agencys_only_gives_some_up(string side, Role role, string wanted, string expected)
    {
        // The connection grants the work (the default), not the team.
        var connection = Requested(selected: true, manages: true);
        var permissions = wanted.Split(',').Select(n => Assert.IsType<PermissionAction>(PermissionActions.TryParse(n, out var a) ? a : null)).ToHashSet();
        var caller = side == "agency" ? new ConnectionCaller(Me, role, null) : new ConnectionCaller(Me, null, role);

        var verdict = ConnectionDecision.Decide(connection, caller, ConnectionOperation.ChangePermissions, permissions: permissions);

        Assert.Equal(expected, verdict.Allowed ? side : verdict.Error!.Code);
    }

    [Fact]
    public void A_user_in_both_accounts_acts_for_the_side_the_operation_belongs_to()
    {
        var connection = Requested(selected: true, manages: false);
        var both = new ConnectionCaller(Me, Role.OrgAdmin, Role.OrgAdmin);

        Assert.Equal(ConnectionSide.Client, ConnectionDecision.Decide(connection, both, ConnectionOperation.Accept).Side);
        Assert.Equal(ConnectionSide.Agency, ConnectionDecision.Decide(connection, both, ConnectionOperation.Cancel).Side);
        Assert.Equal(ConnectionSide.Agency, ConnectionDecision.Decide(connection, both, ConnectionOperation.ChangeAgencyUsers).Side);
    }

    /// <summary>Pending, requested by the agency, selecting the agency users named (me and usr-other, or only usr-other).</summary>
    private static Connection Requested(bool selected, bool manages)
    {
        var users = AgencyUserSelection.Selected(selected ? [Me, "usr-other"] : ["usr-other"]);
        return Connection.Request("con-1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-requester", At, users, null, null, manages ? [Me] : ["usr-other"]);
    }
}
