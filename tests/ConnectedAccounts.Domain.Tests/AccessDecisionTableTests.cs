using ConnectedAccounts.Domain.Accounts;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

/// <summary>Which permissions the connection in a table row carries.</summary>
public enum GrantedPermissions
{
    FullConnectableSet,
    OnlyReportsRead,

    /// <summary>A stored row naming every action, read back without rules: the decision must still not widen.</summary>
    EveryActionAsStored,
}

/// <summary>
/// The exhaustive table of the decision function. The expectation is written here from the rules of API.md and the
/// domain's documented design decisions, never read from the production code.
/// </summary>
public class AccessDecisionTableTests
{
    private const string UserId = "usr-under-test";
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Integrations, items, reports, data export — the work a connection can hand over — and the client's team when
    /// granted (members.manage), typed by hand.
    /// </summary>
    private static readonly HashSet<PermissionAction> ConnectableByHand =
    [
        PermissionAction.MembersManage,
        PermissionAction.IntegrationsCreateAndMap,
        PermissionAction.ItemsCreate,
        PermissionAction.ItemsReadWrite,
        PermissionAction.ReportsCreate,
        PermissionAction.ReportsConfigure,
        PermissionAction.ReportsRead,
        PermissionAction.ReportsExport,
        PermissionAction.DataExportExternal,
    ];

    public static IEnumerable<object[]> EveryCombination()
    {
        foreach (var action in Enum.GetValues<PermissionAction>())
        {
            foreach (var role in Enum.GetValues<Role>())
            {
                foreach (var state in Enum.GetValues<ConnectionState>())
                {
                    foreach (var isAgencyUser in new[] { true, false })
                    {
                        foreach (var managesClient in new[] { true, false })
                        {
                            foreach (var granted in Enum.GetValues<GrantedPermissions>())
                            {
                                yield return [action, role, state, isAgencyUser, managesClient, granted];
                            }
                        }
                    }
                }
            }
        }
    }

    public static IEnumerable<object[]> EveryActionAndRole() =>
        from action in Enum.GetValues<PermissionAction>()
        from role in Enum.GetValues<Role>()
        select new object[] { action, role };

    [Theory]
    [MemberData(nameof(EveryCombination))]
    public void An_agency_user_may_act_on_a_client_only_as_the_rules_say(
        PermissionAction action, Role role, ConnectionState state, bool isAgencyUser, bool managesClient, GrantedPermissions granted)
    {
        var (agency, client, connection) = ConnectionIn(state, role, isAgencyUser, managesClient, granted);
        Assert.Equal(state, connection.State);

        var direct = new AccessPath.ViaConnection(
            role,
            connection.IsActive,
            connection.Permissions,
            connection.AgencyUsers.Includes(UserId),
            connection.AccountManagerIds.Contains(UserId, StringComparer.Ordinal));
        var allowed = AccessDecision.Allows(direct, action);
        Assert.Equal(allowed, AccessDecision.EffectiveActions(direct).Contains(action));
        var throughAccount = client.AccessFor(UserId, g => g.AgencyAccountId == agency.Id ? agency.RoleOf(UserId) : null, DateTimeOffset.UtcNow);
        Assert.Equal(allowed, AccessDecision.Allows(throughAccount, action));

        // Each rule of API.md on its own, so a failure names the rule broken rather than restating a formula.
        var rules = new (string Rule, bool Holds)[]
        {
            ("only an active connection gives access", state == ConnectionState.Active),
            ("only the agency users the connection selects", isAgencyUser),
            ("an account manager works only on the clients they manage", role != Role.AccountManager || managesClient),
            ("never beyond the role's column of the matrix", PermissionMatrixTests.ApiAllows(role, action)),
            ("a connection narrows, never widens", GrantedByHand(granted).Contains(action)),
            ("a connection carries work and the team, never the relationship", ConnectableByHand.Contains(action)),
        };
        foreach (var (rule, holds) in rules)
        {
            Assert.False(allowed && !holds, $"Allowed although the rule '{rule}' forbids it.");
        }

        Assert.True(allowed || rules.Any(r => !r.Holds), "Refused although no rule forbids it: a connection that allows an action gives it.");
    }

    [Theory]
    [MemberData(nameof(EveryActionAndRole))]
    public void A_direct_member_gets_exactly_the_matrix(PermissionAction action, Role role)
    {
        var expected = PermissionMatrixTests.ApiAllows(role, action);

        Assert.Equal(expected, AccessDecision.Allows(new AccessPath.Member(role), action));

        var account = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Client", AccountKind.Client, Person("usr-owner"), At);
        Assert.True(account.AddMember(Person(UserId) with { Role = role }).Succeeded);
        var path = account.AccessFor(UserId, _ => throw new InvalidOperationException("A member needs no grant."), DateTimeOffset.UtcNow);
        Assert.Equal(new AccessPath.Member(role), path);
        Assert.Equal(expected, AccessDecision.Allows(path, action));
    }

    [Theory]
    [MemberData(nameof(EveryActionAndRole))]
    public void A_stranger_may_do_nothing(PermissionAction action, Role role)
    {
        _ = role;
        Assert.False(AccessDecision.Allows(new AccessPath.None(), action));
    }

    [Fact]
    public void The_table_has_every_combination_once()
    {
        Assert.Equal(7, Enum.GetValues<ConnectionState>().Length);
        var rows = EveryCombination().Select(r => string.Join('/', r)).ToList();
        Assert.Equal(12 * 4 * 7 * 2 * 2 * 3, rows.Count);
        Assert.Equal(rows.Count, rows.Distinct(StringComparer.Ordinal).Count());
    }

    private static HashSet<PermissionAction> GrantedByHand(GrantedPermissions granted) => granted switch
    {
        GrantedPermissions.FullConnectableSet => ConnectableByHand,
        GrantedPermissions.OnlyReportsRead => [PermissionAction.ReportsRead],
        GrantedPermissions.EveryActionAsStored => [.. Enum.GetValues<PermissionAction>()],
        _ => throw new ArgumentOutOfRangeException(nameof(granted)),
    };

    /// <summary>
    /// A real agency, a real client and a connection brought into <paramref name="state"/> through the state machine,
    /// with the client's grants kept in step after every change as the service does.
    /// </summary>
    private static (Account Agency, Account Client, Connection Connection) ConnectionIn(
        ConnectionState state, Role role, bool isAgencyUser, bool managesClient, GrantedPermissions granted)
    {
        var agency = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Agency", AccountKind.Agency, Person("usr-agency-owner"), At);
        Assert.True(agency.AddMember(Person(UserId) with { Role = role }).Succeeded);

        var client = Account.Create(Ids.NewAccountId(), Ids.NewOrganisationId(), "Client", AccountKind.Client, Person("usr-client-owner"), At);
        var connection = Connection.Request(
            Ids.NewConnectionId(client.Id),
            agency.Id,
            client.Id,
            ConnectionSide.Agency,
            "usr-agency-owner",
            At,
            isAgencyUser ? AgencyUserSelection.Selected([UserId, "usr-colleague"]) : AgencyUserSelection.Selected(["usr-colleague"]),
            granted == GrantedPermissions.EveryActionAsStored ? null : GrantedByHand(granted),
            "Let us in");
        client.ApplyConnection(connection);

        Step(connection.ChangeAgencyUsers(connection.AgencyUsers, managesClient ? [UserId] : ["usr-other-manager"], DateTimeOffset.UtcNow));
        client.ApplyConnection(connection);

        switch (state)
        {
            case ConnectionState.Pending:
                break;
            case ConnectionState.Declined:
                Step(connection.Decline(ConnectionSide.Client, At.AddHours(1)));
                break;
            case ConnectionState.Cancelled:
                Step(connection.Cancel(ConnectionSide.Agency, At.AddHours(1)));
                break;
            case ConnectionState.Expired:
                Step(connection.Expire(At.AddDays(30)));
                break;
            case ConnectionState.Active or ConnectionState.Disconnecting or ConnectionState.Disconnected:
                Step(connection.Accept(ConnectionSide.Client, At.AddHours(1), null, null));
                client.ApplyConnection(connection);
                if (state is ConnectionState.Disconnecting or ConnectionState.Disconnected)
                {
                    Step(connection.BeginDisconnect("usr-client-owner", At.AddDays(2)));
                    client.ApplyConnection(connection);
                }

                if (state is ConnectionState.Disconnected)
                {
                    Step(connection.CompleteDisconnect());
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state));
        }

        if (granted == GrantedPermissions.EveryActionAsStored)
        {
            connection = Connection.Restore(connection.ToSnapshot() with { Permissions = Enum.GetValues<PermissionAction>() });
        }

        client.ApplyConnection(connection);
        return (agency, client, connection);
    }

    private static void Step(Outcome outcome) => Assert.True(outcome.Succeeded, outcome.Error?.Detail);

    private static Member Person(string userId) => new(userId, $"{userId}@example.test", userId, Role.RegularUser);
}
