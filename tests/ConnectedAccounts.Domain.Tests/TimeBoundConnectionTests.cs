using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Domain.Connections;
using ConnectedAccounts.Domain.Permissions;

namespace ConnectedAccounts.Domain.Tests;

/// <summary>Connections with an end date: the term, the rules of accepting and changing it, the reminders and the end. Values from API.md.</summary>
public class TimeBoundConnectionTests
{
    private const string Me = "usr-me";
    private static readonly DateTimeOffset At = new(2025, 1, 31, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Each duration and the end it gives from 2025-01-31 12:00 UTC, worked out on a calendar; null: refused.</summary>
    [Theory]
    [InlineData("P1D", "2025-02-01T12:00:00Z")]
    [InlineData("P1W", "2025-02-07T12:00:00Z")]
    [InlineData("P1M", "2025-02-28T12:00:00Z")]
    [InlineData("P90D", "2025-05-01T12:00:00Z")]
    [InlineData("P1Y1M", "2026-02-28T12:00:00Z")]
    [InlineData("P2Y", "2027-01-31T12:00:00Z")]
    [InlineData("PT24H", "2025-02-01T12:00:00Z")]
    [InlineData("P2Y1D", null)]
    [InlineData("P25M", null)]
    [InlineData("PT23H", null)]
    [InlineData("P0D", null)]
    [InlineData("-P1D", null)]
    [InlineData("P1DT0.5S", null)]
    [InlineData("1Y", null)]
    [InlineData("P", null)]
    [InlineData("", null)]
    [InlineData("P1Y ", null)]
    public void A_duration_is_ISO_8601_on_the_calendar_between_a_day_and_two_years(string text, string? end)
    {
        var ok = ConnectionTerm.TryParse(text, out var term) && term.IsWithinLimits(At);

        Assert.Equal(end is not null, ok);
        if (end is not null)
        {
            Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), term!.AddTo(At));
        }
    }

    [Fact]
    public void The_term_starts_on_acceptance_and_the_acceptor_may_shorten_it_never_lengthen_it()
    {
        var accepted = At.AddDays(3);

        Assert.Equal("connection-duration-lengthened", Requested("P30D").Accept(ConnectionSide.Client, accepted, null, null, Term("P31D")).Error?.Code);
        Assert.Equal("connection-duration-lengthened", Requested("P30D", autoExtend: false).Accept(ConnectionSide.Client, accepted, null, null, null, autoExtend: true).Error?.Code);

        var shortened = Requested("P30D", autoExtend: true);
        Assert.True(shortened.Accept(ConnectionSide.Client, accepted, null, null, Term("P7D"), autoExtend: false).Succeeded);
        Assert.Equal(accepted.AddDays(7), shortened.ExpiresAt);
        Assert.False(shortened.AutoExtend);

        var kept = Requested("P30D", autoExtend: true);
        Assert.True(kept.Accept(ConnectionSide.Client, accepted, null, null).Succeeded);
        Assert.Equal(accepted.AddDays(30), kept.ExpiresAt);
        Assert.True(kept.AutoExtend);

        // No end asked for is the longest of all: the acceptor may give it one, with auto-extend or not.
        var open = Requested(null);
        Assert.True(open.Accept(ConnectionSide.Client, accepted, null, null, Term("P1Y"), autoExtend: true).Succeeded);
        Assert.Equal(accepted.AddYears(1), open.ExpiresAt);
        Assert.Equal("auto-extend-without-duration", Requested(null).Accept(ConnectionSide.Client, accepted, null, null, null, autoExtend: true).Error?.Code);

        var forever = Requested(null);
        Assert.True(forever.Accept(ConnectionSide.Client, accepted, null, null).Succeeded);
        Assert.Null(forever.ExpiresAt);
        Assert.True(forever.IsActiveAt(accepted.AddYears(50)));
    }

    [Fact]
    public void Access_ends_at_the_end_date_to_the_tick_and_reads_expired_from_then()
    {
        var connection = Active("P1D");
        var end = connection.ExpiresAt!.Value;

        Assert.True(connection.IsActiveAt(end.AddTicks(-1)));
        Assert.Equal(ConnectionState.Active, connection.StateAt(end.AddTicks(-1)));
        Assert.False(connection.IsActiveAt(end));
        Assert.Equal(ConnectionState.Expired, connection.StateAt(end));
        Assert.Equal(ConnectionState.Active, connection.State);
        Assert.Equal("connection-not-active", connection.ChangePermissions(new HashSet<PermissionAction> { PermissionAction.ReportsRead }, end).Error?.Code);
    }

    [Fact]
    public void The_expiry_is_a_disconnection_with_reason_expired_that_ends_expired()
    {
        var connection = Active("P1D");
        var end = connection.ExpiresAt!.Value;

        Assert.Equal("connection-not-lapsed", connection.BeginExpiry(end.AddTicks(-1)).Error?.Code);
        Assert.True(connection.BeginExpiry(end.AddMinutes(3)).Succeeded);
        Assert.Equal(ConnectionState.Disconnecting, connection.State);
        Assert.Equal(DisconnectReason.Expired, connection.DisconnectReason);
        Assert.Equal(end, connection.DisconnectedAt);
        Assert.Equal(ConnectionState.Expired, connection.StateAt(end.AddMinutes(3)));
        Assert.True(connection.CompleteDisconnect().Succeeded);
        Assert.Equal(ConnectionState.Expired, connection.State);
        Assert.True(connection.CompleteDisconnect().Succeeded);

        // A user who disconnects after the end date starts the same expiry.
        var late = Active("P1D");
        Assert.True(late.BeginDisconnect("usr-admin", late.ExpiresAt!.Value).Succeeded);
        Assert.Equal(DisconnectReason.Expired, late.DisconnectReason);
        Assert.Null(late.DisconnectedByUserId);

        var early = Active("P1D");
        Assert.True(early.BeginDisconnect("usr-admin", early.ExpiresAt!.Value.AddTicks(-1)).Succeeded);
        Assert.Equal(DisconnectReason.Requested, early.DisconnectReason);
        Assert.True(early.CompleteDisconnect().Succeeded);
        Assert.Equal(ConnectionState.Disconnected, early.State);
    }

    [Fact]
    public void Reminders_come_30_7_and_1_day_before_the_end_each_once_and_none_already_past_when_the_end_was_set()
    {
        var connection = Active("P90D");
        var end = connection.ExpiresAt!.Value;
        Assert.Equal(end.AddDays(-30), connection.NextDueAt());

        var sent = new List<int>();
        for (var t = At; t < end; t = t.AddHours(6))
        {
            if (connection.DueAt(t) is { Kind: ExpiryStepKind.Remind } step)
            {
                Assert.True(connection.RecordReminder(step.DaysBefore, t).Succeeded);
                Assert.Equal("connection-reminder-not-due", connection.RecordReminder(step.DaysBefore, t).Error?.Code);
                sent.Add(step.DaysBefore);
            }
        }

        Assert.Equal([30, 7, 1], sent);
        Assert.Equal(end, connection.NextDueAt());
        Assert.Equal(ExpiryStepKind.Expire, connection.DueAt(end).Kind);

        // Accepted for 7 days: the 30- and 7-day thresholds have passed already; only the 1-day reminder is left.
        var week = Active("P7D");
        Assert.Equal(week.ExpiresAt!.Value.AddDays(-1), week.NextDueAt());
        Assert.Equal(ExpiryStep.None, week.DueAt(week.ExpiresAt.Value.AddDays(-1).AddTicks(-1)));
        Assert.Equal(new ExpiryStep(ExpiryStepKind.Remind, 1), week.DueAt(week.ExpiresAt.Value.AddDays(-1)));

        // A timer that was down sends only the reminder of the threshold reached last, not the ones it missed.
        var missed = Active("P90D");
        Assert.Equal(new ExpiryStep(ExpiryStepKind.Remind, 1), missed.DueAt(missed.ExpiresAt!.Value.AddHours(-2)));
    }

    [Fact]
    public void Auto_extend_renews_by_the_term_an_hour_before_the_end_sends_no_reminders_and_renews_once()
    {
        var connection = Active("P1M", autoExtend: true);
        var end = connection.ExpiresAt!.Value;
        Assert.Equal(end - Connection.AutoExtendLead, connection.NextDueAt());
        Assert.Equal(ExpiryStep.None, connection.DueAt(end.AddDays(-1)));
        Assert.Equal("connection-renewal-not-due", connection.Renew(end.AddDays(-1)).Error?.Code);

        var at = end - Connection.AutoExtendLead;
        Assert.True(connection.Renew(at).Succeeded);
        Assert.Equal(new DateTimeOffset(2025, 3, 28, 12, 0, 0, TimeSpan.Zero), connection.ExpiresAt);
        Assert.Equal("connection-renewal-not-due", connection.Renew(at).Error?.Code);

        // Turned off, it ends: the reminders still ahead come again.
        Assert.True(connection.ChangeExpiry(new ExpiryRequest(null, null, false, at)).Succeeded);
        Assert.Equal(connection.ExpiresAt!.Value.AddDays(-7), connection.NextDueAt());
    }

    [Fact]
    public void A_new_end_date_is_after_now_at_most_two_years_ahead_and_auto_extend_needs_a_term()
    {
        var connection = Active("P30D");

        Assert.Equal("connection-expiry-out-of-range", connection.ChangeExpiry(new ExpiryRequest(null, At, null, At.AddDays(1))).Error?.Code);
        Assert.Equal("connection-expiry-out-of-range", connection.ChangeExpiry(new ExpiryRequest(null, At.AddYears(2).AddDays(2), null, At.AddDays(1))).Error?.Code);
        Assert.True(connection.ChangeExpiry(new ExpiryRequest(null, At.AddDays(10), null, At.AddDays(1))).Succeeded);
        Assert.Equal(At.AddDays(10), connection.ExpiresAt);
        Assert.True(connection.ChangeExpiry(new ExpiryRequest(Term("P1Y"), null, true, At.AddDays(2))).Succeeded);
        Assert.Equal(At.AddDays(2).AddYears(1), connection.ExpiresAt);
        Assert.True(connection.AutoExtend);

        var open = Active(null);
        Assert.Equal("auto-extend-without-duration", open.ChangeExpiry(new ExpiryRequest(null, null, true, At.AddDays(1))).Error?.Code);
        Assert.Equal("auto-extend-without-duration", open.ChangeExpiry(new ExpiryRequest(null, At.AddDays(9), true, At.AddDays(1))).Error?.Code);
        Assert.Equal("connection-not-active", Requested("P30D").ChangeExpiry(new ExpiryRequest(Term("P7D"), null, null, At)).Error?.Code);
    }

    /// <summary>
    /// Who may change the end date, from API.md: either side's orgAdmin (or the client's managing account manager)
    /// shortens; only the client's orgAdmin lengthens or turns auto-extend on. Each row: side, role, whether the caller
    /// manages the client, the change (shorter, longer, autoExtendOn, autoExtendOff) and the answer.
    /// </summary>
    [Theory]
    [InlineData("client", Role.OrgAdmin, false, "shorter", "client")]
    [InlineData("client", Role.OrgAdmin, false, "longer", "client")]
    [InlineData("client", Role.OrgAdmin, false, "autoExtendOn", "client")]
    [InlineData("client", Role.AccountManager, false, "shorter", "client")]
    [InlineData("client", Role.AccountManager, false, "longer", "connection-expiry-lengthened")]
    [InlineData("client", Role.RegularUser, false, "shorter", "forbidden")]
    [InlineData("agency", Role.OrgAdmin, false, "shorter", "agency")]
    [InlineData("agency", Role.OrgAdmin, false, "autoExtendOff", "agency")]
    [InlineData("agency", Role.OrgAdmin, false, "longer", "connection-expiry-lengthened")]
    [InlineData("agency", Role.OrgAdmin, false, "autoExtendOn", "connection-expiry-lengthened")]
    [InlineData("agency", Role.AccountManager, true, "shorter", "agency")]
    [InlineData("agency", Role.AccountManager, true, "longer", "connection-expiry-lengthened")]
    [InlineData("agency", Role.AccountManager, false, "shorter", "404")]
    [InlineData("agency", Role.RegularUser, false, "shorter", "forbidden")]
    public void Either_side_ends_it_sooner_and_only_the_clients_orgAdmin_gives_it_more_time(string side, Role role, bool manages, string change, string expected)
    {
        var connection = Connection.Request("con-1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-requester", At,
            AgencyUserSelection.Everyone, null, null, manages ? [Me] : ["usr-other"], Term("P30D"));
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        var now = At.AddDays(1);
        var request = change switch
        {
            "shorter" => new ExpiryRequest(Term("P7D"), null, null, now),
            "longer" => new ExpiryRequest(null, At.AddDays(60), null, now),
            "autoExtendOn" => new ExpiryRequest(null, null, true, now),
            _ => new ExpiryRequest(null, null, false, now),
        };
        var caller = side == "agency" ? new ConnectionCaller(Me, role, null) : new ConnectionCaller(Me, null, role);

        var verdict = ConnectionDecision.Decide(connection, caller, ConnectionOperation.ChangeExpiry, expiry: request);

        Assert.Equal(expected, verdict switch
        {
            { Allowed: true, Side: ConnectionSide.Agency } => "agency",
            { Allowed: true } => "client",
            { Error.Kind: ErrorKind.NotFound } => "404",
            _ => verdict.Error!.Code,
        });
    }

    [Fact]
    public void A_grant_gives_access_until_its_end_date_and_an_archive_grant_has_none()
    {
        var agency = Accounts.Account.Create("acc-agency", "org-a", "Agency", Accounts.AccountKind.Agency, new Accounts.Member("usr-agency", "a@agency.test", "A", Role.OrgAdmin), At);
        var client = Accounts.Account.Create("acc-client", "org-c", "Client", Accounts.AccountKind.Client, creator: null, At, createdByAccountId: agency.Id);
        var connection = Connection.Request("con-1.acc-client", agency.Id, client.Id, ConnectionSide.Agency, "usr-agency", At, null, null, null, null, Term("P1D"));
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        client.ApplyConnection(connection);
        var end = connection.ExpiresAt!.Value;

        Assert.True(AccessDecision.Allows(client.AccessFor("usr-agency", _ => Role.OrgAdmin, end.AddTicks(-1)), PermissionAction.ReportsRead));
        Assert.False(AccessDecision.Allows(client.AccessFor("usr-agency", _ => Role.OrgAdmin, end), PermissionAction.ReportsRead));

        Assert.True(connection.BeginExpiry(end).Succeeded);
        client.ApplyConnection(connection);
        var kept = Assert.Single(client.Grants);
        Assert.Null(kept.ExpiresAt);
        Assert.True(AccessDecision.Allows(client.AccessFor("usr-agency", _ => Role.OrgAdmin, end.AddYears(1)), PermissionAction.ReportsRead));
        Assert.False(AccessDecision.Allows(client.AccessFor("usr-agency", _ => Role.OrgAdmin, end.AddYears(1)), PermissionAction.ItemsReadWrite));
    }

    [Fact]
    public void The_end_date_and_its_reminders_survive_storage()
    {
        var connection = Active("P90D", autoExtend: true);
        Assert.True(connection.ChangeExpiry(new ExpiryRequest(null, null, false, At)).Succeeded);
        Assert.True(connection.RecordReminder(30, connection.ExpiresAt!.Value.AddDays(-30)).Succeeded);

        var restored = Connection.Restore(connection.ToSnapshot());

        Assert.Equal("P90D", restored.Term?.ToString());
        Assert.Equal(connection.ExpiresAt, restored.ExpiresAt);
        Assert.False(restored.AutoExtend);
        Assert.Equal(30, restored.RemindedDaysBefore);
    }

    private static ConnectionTerm? Term(string? text) => text is null ? null : ConnectionTerm.TryParse(text, out var term) ? term : throw new ArgumentException(text);

    private static Connection Requested(string? duration, bool autoExtend = false) =>
        Connection.Request("con-1.acc-client", "acc-agency", "acc-client", ConnectionSide.Agency, "usr-requester", At, null, null, null, null, Term(duration), autoExtend);

    private static Connection Active(string? duration, bool autoExtend = false)
    {
        var connection = Requested(duration, autoExtend);
        Assert.True(connection.Accept(ConnectionSide.Client, At, null, null).Succeeded);
        return connection;
    }
}
