using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

public enum Move
{
    AcceptByReceiver,
    AcceptBySender,
    DeclineByReceiver,
    DeclineBySender,
    CancelBySender,
    CancelByReceiver,
    Expire,
    BeginDisconnect,
    CompleteDisconnect,
}

public class ConnectionStateMachineTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every transition the state machine allows, typed by hand; every other (state, move) is refused.</summary>
    private static readonly Dictionary<(ConnectionState From, Move Move), ConnectionState> Allowed = new()
    {
        [(ConnectionState.Pending, Move.AcceptByReceiver)] = ConnectionState.Active,
        [(ConnectionState.Pending, Move.DeclineByReceiver)] = ConnectionState.Declined,
        [(ConnectionState.Pending, Move.CancelBySender)] = ConnectionState.Cancelled,
        [(ConnectionState.Pending, Move.Expire)] = ConnectionState.Expired,
        [(ConnectionState.Active, Move.BeginDisconnect)] = ConnectionState.Disconnecting,
        [(ConnectionState.Disconnecting, Move.CompleteDisconnect)] = ConnectionState.Disconnected,
    };

    public static IEnumerable<object[]> EveryStateMoveAndSender() =>
        from state in Enum.GetValues<ConnectionState>()
        from move in Enum.GetValues<Move>()
        from sender in Enum.GetValues<ConnectionSide>()
        select new object[] { state, move, sender };

    public static TheoryData<ConnectionState, bool> AgencyUsersChangeable { get; } = new()
    {
        { ConnectionState.Pending, true },
        { ConnectionState.Active, true },
        { ConnectionState.Declined, false },
        { ConnectionState.Cancelled, false },
        { ConnectionState.Expired, false },
        { ConnectionState.Disconnecting, false },
        { ConnectionState.Disconnected, false },
    };

    [Theory]
    [MemberData(nameof(EveryStateMoveAndSender))]
    public void A_move_changes_the_state_only_where_the_state_machine_allows_it(ConnectionState from, Move move, ConnectionSide sender)
    {
        var connection = In(from, sender);
        var before = connection.ToSnapshot();

        var outcome = Apply(connection, move);

        if (Allowed.TryGetValue((from, move), out var to))
        {
            Assert.True(outcome.Succeeded, outcome.Error?.Detail);
            Assert.Equal(to, connection.State);
            Assert.Equal(before.Version + 1, connection.Version);
        }
        else if (from == ConnectionState.Disconnected && move == Move.CompleteDisconnect)
        {
            // Completing twice is a replay of the queue message, not an error; nothing changes.
            Assert.True(outcome.Succeeded);
            AssertSame(before, connection.ToSnapshot());
        }
        else
        {
            Assert.False(outcome.Succeeded);
            var wrongSide = from == ConnectionState.Pending && move is Move.AcceptBySender or Move.DeclineBySender or Move.CancelByReceiver;
            Assert.Equal(wrongSide ? ErrorKind.Forbidden : ErrorKind.Conflict, outcome.Error!.Kind);
            AssertSame(before, connection.ToSnapshot());
        }
    }

    [Fact]
    public void Nothing_leaves_an_end_state()
    {
        foreach (var end in new[] { ConnectionState.Declined, ConnectionState.Cancelled, ConnectionState.Expired, ConnectionState.Disconnected })
        {
            foreach (var sender in Enum.GetValues<ConnectionSide>())
            {
                var connection = In(end, sender);
                foreach (var move in Enum.GetValues<Move>())
                {
                    _ = Apply(connection, move);
                    Assert.Equal(end, connection.State);
                }

                Assert.False(connection.ChangeAgencyUsers(AgencyUserSelection.Everyone, ["usr-x"], DateTimeOffset.UtcNow).Succeeded);
                Assert.Equal(end, connection.State);
            }
        }
    }

    [Theory]
    [InlineData(ConnectionSide.Agency)]
    [InlineData(ConnectionSide.Client)]
    public void Only_the_receiving_side_accepts_or_declines_and_only_the_sender_cancels(ConnectionSide sender)
    {
        var receiver = sender == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;
        var connection = Requested(sender);
        Assert.Equal(receiver, connection.ReceivingSide);

        Assert.Equal("connection-accept-by-sender", connection.Accept(sender, At, null, null).Error?.Code);
        Assert.Equal("connection-decline-by-sender", connection.Decline(sender, At).Error?.Code);
        Assert.Equal("connection-cancel-by-receiver", connection.Cancel(receiver, At).Error?.Code);
        Assert.Equal(ConnectionState.Pending, connection.State);
        Assert.Equal(1, connection.Version);

        Assert.True(connection.Accept(receiver, At.AddHours(1), null, null).Succeeded);
        Assert.Equal(ConnectionState.Active, connection.State);
    }

    [Fact]
    public void A_new_request_is_pending_at_version_one_with_what_was_asked()
    {
        var users = AgencyUserSelection.Selected(["usr-b", "usr-a"]);
        var connection = Connection.Request(
            "con1.acc-client", "acc-agency", "acc-client", ConnectionSide.Client, "usr-requester", At, users,
            new HashSet<PermissionAction> { PermissionAction.ReportsRead }, "hello");

        Assert.Equal(ConnectionState.Pending, connection.State);
        Assert.Equal(1, connection.Version);
        Assert.Equal("usr-requester", connection.RequestedByUserId);
        Assert.Equal(At, connection.RequestedAt);
        Assert.Equal(ConnectionSide.Client, connection.InitiatedBy);
        Assert.Equal(ConnectionSide.Agency, connection.ReceivingSide);
        Assert.Equal("acc-agency", connection.AccountIdOf(ConnectionSide.Agency));
        Assert.Equal("acc-client", connection.AccountIdOf(ConnectionSide.Client));
        Assert.Same(users, connection.AgencyUsers);
        Assert.Equal([PermissionAction.ReportsRead], connection.Permissions);
        Assert.Equal("hello", connection.Message);
        Assert.Null(connection.AcceptedAt);
        Assert.Null(connection.EndedAt);
        Assert.Null(connection.DisconnectedAt);
        Assert.False(connection.IsActive);
    }

    [Fact]
    public void A_request_without_permissions_asks_for_all_the_work_never_the_team_and_everyone()
    {
        var connection = Connection.Request("con1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-a", At, null, null, null);

        PermissionAction[] work =
        [
            PermissionAction.IntegrationsCreateAndMap, PermissionAction.ItemsCreate, PermissionAction.ItemsReadWrite, PermissionAction.ReportsCreate,
            PermissionAction.ReportsConfigure, PermissionAction.ReportsRead, PermissionAction.ReportsExport, PermissionAction.DataExportExternal,
        ];
        Assert.Equal(work.Order(), connection.Permissions.Order());
        Assert.True(connection.AgencyUsers.All);
    }

    [Fact]
    public void A_request_never_hands_over_connection_management_and_the_team_only_when_asked()
    {
        var connection = Connection.Request(
            "con1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-a", At, null,
            new HashSet<PermissionAction>(PermissionActions.All), null);

        Assert.DoesNotContain(PermissionAction.ConnectionsRequest, connection.Permissions);
        Assert.DoesNotContain(PermissionAction.ConnectionsAccept, connection.Permissions);
        Assert.DoesNotContain(PermissionAction.ConnectionsDisconnect, connection.Permissions);
        Assert.Contains(PermissionAction.MembersManage, connection.Permissions);
        Assert.Equal(9, connection.Permissions.Count);
    }

    [Fact]
    public void The_scope_of_an_active_connection_changes_and_of_no_other()
    {
        var connection = Requested(ConnectionSide.Agency);
        Assert.Equal("connection-not-active", connection.ChangePermissions(new HashSet<PermissionAction> { PermissionAction.ReportsRead }, DateTimeOffset.UtcNow).Error?.Code);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        var version = connection.Version;

        Assert.True(connection.ChangePermissions(new HashSet<PermissionAction> { PermissionAction.ReportsRead, PermissionAction.MembersManage, PermissionAction.ConnectionsAccept }, DateTimeOffset.UtcNow).Succeeded);

        Assert.Equal([PermissionAction.ReportsRead, PermissionAction.MembersManage], connection.Permissions.Order());
        Assert.Equal(version + 1, connection.Version);
    }

    [Fact]
    public void Accepting_may_narrow_the_permissions_and_choose_the_agency_users()
    {
        var connection = Requested(ConnectionSide.Agency);
        var chosen = AgencyUserSelection.Selected(["usr-a"]);

        var outcome = connection.Accept(ConnectionSide.Client, At.AddHours(1), chosen, new HashSet<PermissionAction> { PermissionAction.ReportsRead, PermissionAction.ReportsExport });

        Assert.True(outcome.Succeeded);
        Assert.Equal([PermissionAction.ReportsRead, PermissionAction.ReportsExport], connection.Permissions.Order());
        Assert.Same(chosen, connection.AgencyUsers);
        Assert.Equal(At.AddHours(1), connection.AcceptedAt);
        Assert.True(connection.IsActive);
        Assert.Equal(2, connection.Version);
    }

    [Fact]
    public void Accepting_without_choices_keeps_what_was_requested()
    {
        var users = AgencyUserSelection.Selected(["usr-a"]);
        var connection = Connection.Request(
            "con1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-a", At, users,
            new HashSet<PermissionAction> { PermissionAction.ItemsCreate, PermissionAction.ReportsRead }, null);

        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);

        Assert.Same(users, connection.AgencyUsers);
        Assert.Equal([PermissionAction.ItemsCreate, PermissionAction.ReportsRead], connection.Permissions.Order());
    }

    [Theory]
    [InlineData(PermissionAction.ItemsCreate)]
    [InlineData(PermissionAction.MembersManage)]
    [InlineData(PermissionAction.ConnectionsAccept)]
    public void Accepting_refuses_to_widen_the_permissions(PermissionAction extra)
    {
        var connection = Connection.Request(
            "con1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-a", At, null,
            new HashSet<PermissionAction> { PermissionAction.ReportsRead }, null);
        var before = connection.ToSnapshot();

        var outcome = connection.Accept(ConnectionSide.Client, At, null, new HashSet<PermissionAction> { PermissionAction.ReportsRead, extra });

        Assert.Equal(ErrorKind.Invalid, outcome.Error?.Kind);
        Assert.Equal("connection-permissions-widened", outcome.Error?.Code);
        AssertSame(before, connection.ToSnapshot());
    }

    [Fact]
    public void Ending_a_request_records_when()
    {
        var declined = Requested(ConnectionSide.Agency);
        Assert.True(declined.Decline(ConnectionSide.Client, At.AddHours(2)).Succeeded);
        Assert.Equal(At.AddHours(2), declined.EndedAt);

        var cancelled = Requested(ConnectionSide.Agency);
        Assert.True(cancelled.Cancel(ConnectionSide.Agency, At.AddHours(3)).Succeeded);
        Assert.Equal(At.AddHours(3), cancelled.EndedAt);

        var expired = Requested(ConnectionSide.Client);
        Assert.True(expired.Expire(At.AddDays(30)).Succeeded);
        Assert.Equal(At.AddDays(30), expired.EndedAt);
        Assert.Null(expired.AcceptedAt);
    }

    [Fact]
    public void Disconnecting_records_who_and_when_and_access_ends_at_once()
    {
        var connection = In(ConnectionState.Active, ConnectionSide.Agency);

        Assert.True(connection.BeginDisconnect("usr-leaver", At.AddDays(5)).Succeeded);

        Assert.False(connection.IsActive);
        Assert.Equal(At.AddDays(5), connection.DisconnectedAt);
        Assert.Equal("usr-leaver", connection.DisconnectedByUserId);

        Assert.True(connection.CompleteDisconnect().Succeeded);
        Assert.Equal(ConnectionState.Disconnected, connection.State);
        Assert.Equal(At.AddDays(5), connection.DisconnectedAt);
    }

    [Fact]
    public void The_version_grows_with_every_change()
    {
        var connection = Requested(ConnectionSide.Agency);
        var versions = new List<long> { connection.Version };

        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Selected(["usr-a"]), null, DateTimeOffset.UtcNow).Succeeded);
        versions.Add(connection.Version);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        versions.Add(connection.Version);
        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Everyone, ["usr-m"], DateTimeOffset.UtcNow).Succeeded);
        versions.Add(connection.Version);
        Assert.True(connection.BeginDisconnect("usr-a", At).Succeeded);
        versions.Add(connection.Version);
        Assert.True(connection.CompleteDisconnect().Succeeded);
        versions.Add(connection.Version);

        Assert.Equal([1L, 2, 3, 4, 5, 6], versions);
    }

    [Theory]
    [MemberData(nameof(AgencyUsersChangeable))]
    public void Agency_users_change_only_while_the_connection_has_not_ended(ConnectionState state, bool changeable)
    {
        var connection = In(state, ConnectionSide.Agency);
        var before = connection.ToSnapshot();
        var users = AgencyUserSelection.Selected(["usr-z"]);

        var outcome = connection.ChangeAgencyUsers(users, ["usr-m"], DateTimeOffset.UtcNow);

        Assert.Equal(changeable, outcome.Succeeded);
        if (changeable)
        {
            Assert.Same(users, connection.AgencyUsers);
            Assert.Equal(["usr-m"], connection.AccountManagerIds);
            Assert.Equal(before.Version + 1, connection.Version);
        }
        else
        {
            Assert.Equal("connection-ended", outcome.Error?.Code);
            Assert.Equal(ErrorKind.Conflict, outcome.Error?.Kind);
            AssertSame(before, connection.ToSnapshot());
        }
    }

    [Fact]
    public void Account_managers_are_kept_distinct_and_sorted_and_unchanged_when_not_given()
    {
        var connection = Requested(ConnectionSide.Agency);

        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Everyone, ["usr-b", "usr-a", "usr-b"], DateTimeOffset.UtcNow).Succeeded);
        Assert.Equal(["usr-a", "usr-b"], connection.AccountManagerIds);

        Assert.True(connection.ChangeAgencyUsers(AgencyUserSelection.Selected(["usr-a"]), null, DateTimeOffset.UtcNow).Succeeded);
        Assert.Equal(["usr-a", "usr-b"], connection.AccountManagerIds);
    }

    [Fact]
    public void A_selection_of_agency_users_is_distinct_sorted_and_includes_only_those_named()
    {
        var selection = AgencyUserSelection.Selected(["usr-c", "usr-a", "usr-c"]);

        Assert.False(selection.All);
        Assert.Equal(["usr-a", "usr-c"], selection.UserIds);
        Assert.True(selection.Includes("usr-a"));
        Assert.False(selection.Includes("usr-b"));
        Assert.False(selection.Includes("USR-A"));
        Assert.True(AgencyUserSelection.Everyone.Includes("anyone"));
    }

    [Theory]
    [InlineData(ConnectionState.Pending)]
    [InlineData(ConnectionState.Active)]
    [InlineData(ConnectionState.Declined)]
    [InlineData(ConnectionState.Cancelled)]
    [InlineData(ConnectionState.Expired)]
    [InlineData(ConnectionState.Disconnecting)]
    [InlineData(ConnectionState.Disconnected)]
    public void A_snapshot_restores_to_the_same_connection(ConnectionState state)
    {
        var connection = In(state, ConnectionSide.Client);
        var snapshot = connection.ToSnapshot();

        var restored = Connection.Restore(snapshot);

        AssertSame(snapshot, restored.ToSnapshot());
        Assert.Equal(connection.IsActive, restored.IsActive);
        Assert.Equal(connection.ReceivingSide, restored.ReceivingSide);
    }

    [Fact]
    public void A_restored_connection_carries_on_through_the_state_machine()
    {
        var restored = Connection.Restore(In(ConnectionState.Active, ConnectionSide.Agency).ToSnapshot());

        Assert.True(restored.BeginDisconnect("usr-a", At).Succeeded);
        Assert.Equal(ConnectionState.Disconnecting, restored.State);
        Assert.False(restored.Accept(ConnectionSide.Client, At, null, null).Succeeded);
    }

    /// <summary>A pending request from <paramref name="sender"/>, with selected users, managers and narrowed permissions.</summary>
    internal static Connection Requested(ConnectionSide sender) => Connection.Request(
        Ids.NewConnectionId("acc-client"),
        "acc-agency",
        "acc-client",
        sender,
        "usr-requester",
        At,
        AgencyUserSelection.Selected(["usr-a", "usr-b"]),
        new HashSet<PermissionAction> { PermissionAction.ReportsRead, PermissionAction.ReportsExport, PermissionAction.ItemsCreate },
        "please connect");

    internal static Connection In(ConnectionState state, ConnectionSide sender)
    {
        var receiver = sender == ConnectionSide.Agency ? ConnectionSide.Client : ConnectionSide.Agency;
        var c = Requested(sender);
        Assert.True(c.ChangeAgencyUsers(c.AgencyUsers, ["usr-a"], DateTimeOffset.UtcNow).Succeeded);
        var outcome = state switch
        {
            ConnectionState.Pending => Outcome.Ok,
            ConnectionState.Declined => c.Decline(receiver, At.AddHours(1)),
            ConnectionState.Cancelled => c.Cancel(sender, At.AddHours(1)),
            ConnectionState.Expired => c.Expire(At.AddDays(30)),
            _ => c.Accept(receiver, At.AddHours(1), null, new HashSet<PermissionAction> { PermissionAction.ReportsRead, PermissionAction.ReportsExport }),
        };
        Assert.True(outcome.Succeeded);
        if (state is ConnectionState.Disconnecting or ConnectionState.Disconnected)
        {
            Assert.True(c.BeginDisconnect("usr-a", At.AddDays(2)).Succeeded);
        }

        if (state is ConnectionState.Disconnected)
        {
            Assert.True(c.CompleteDisconnect().Succeeded);
        }

        Assert.Equal(state, c.State);
        return c;
    }

    private static Outcome Apply(Connection c, Move move)
    {
        var receiver = c.ReceivingSide;
        var sender = c.InitiatedBy;
        return move switch
        {
            Move.AcceptByReceiver => c.Accept(receiver, At.AddDays(3), null, null),
            Move.AcceptBySender => c.Accept(sender, At.AddDays(3), null, null),
            Move.DeclineByReceiver => c.Decline(receiver, At.AddDays(3)),
            Move.DeclineBySender => c.Decline(sender, At.AddDays(3)),
            Move.CancelBySender => c.Cancel(sender, At.AddDays(3)),
            Move.CancelByReceiver => c.Cancel(receiver, At.AddDays(3)),
            Move.Expire => c.Expire(At.AddDays(3)),
            Move.BeginDisconnect => c.BeginDisconnect("usr-b", At.AddDays(3)),
            Move.CompleteDisconnect => c.CompleteDisconnect(),
            _ => throw new ArgumentOutOfRangeException(nameof(move)),
        };
    }

    /// <summary>Snapshots hold lists, which records compare by reference; this compares every field by value.</summary>
    internal static void AssertSame(ConnectionSnapshot expected, ConnectionSnapshot actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.AgencyAccountId, actual.AgencyAccountId);
        Assert.Equal(expected.ClientAccountId, actual.ClientAccountId);
        Assert.Equal(expected.InitiatedBy, actual.InitiatedBy);
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.RequestedByUserId, actual.RequestedByUserId);
        Assert.Equal(expected.RequestedAt, actual.RequestedAt);
        Assert.Equal(expected.AcceptedAt, actual.AcceptedAt);
        Assert.Equal(expected.EndedAt, actual.EndedAt);
        Assert.Equal(expected.DisconnectedAt, actual.DisconnectedAt);
        Assert.Equal(expected.DisconnectedByUserId, actual.DisconnectedByUserId);
        Assert.Equal(expected.AgencyUsers.All, actual.AgencyUsers.All);
        Assert.Equal(expected.AgencyUsers.UserIds, actual.AgencyUsers.UserIds);
        Assert.Equal(expected.Permissions, actual.Permissions);
        Assert.Equal(expected.AccountManagerIds, actual.AccountManagerIds);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.Version, actual.Version);
    }
}
