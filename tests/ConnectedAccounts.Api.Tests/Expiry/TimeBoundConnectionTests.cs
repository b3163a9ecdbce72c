using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Connections;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Expiry;

/// <summary>
/// Time-bound connections through the HTTP API on a manual clock: access ends at <c>expiresAt</c> to the tick, the
/// timer reminds, renews and expires each exactly once, and only the client's orgAdmin gives more time. The rules
/// come from API.md ("Time-bound connections"); the dates are worked out from the clock, never read back from the
/// code under test. Run on SQLite and on Azurite. The timer sees every connection of the store (other tests' too), so
/// "exactly once" is shown by what reaches this test's own admins and connection, not by the timer's counts.
/// </summary>
public abstract class TimeBoundConnectionScenarios(ExpiryFactory factory)
{
    [Fact]
    public async Task Access_ends_at_expiresAt_to_the_tick_before_any_job_runs_and_the_connection_reads_expired()
    {
        var s = await ConnectAsync("P30D");
        var read = await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK);
        var expiresAt = Instant(read["expiresAt"]);
        Assert.Equal(s.AcceptedAt.AddDays(30), expiresAt);
        Assert.Equal("P30D", (string?)read["duration"]);
        Assert.False((bool)read["autoExtend"]!);
        Assert.Equal("active", (string?)read["state"]);

        AdvanceTo(expiresAt.AddTicks(-1));
        await s.Rita.GetAsync(s.ReportsUrl).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", (string?)(await s.Alice.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["state"]);

        AdvanceTo(expiresAt);
        await s.Rita.GetAsync(s.ReportsUrl).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await s.Alice.GetAsync(s.ReportsUrl).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        AdvanceTo(expiresAt.AddTicks(1));
        await s.Rita.GetAsync(s.ReportsUrl).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        Assert.Equal("expired", (string?)(await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["state"]);
        var listed = await s.Carol.GetAsync($"/api/accounts/{s.ClientId}/connections?state=expired").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([s.ConnectionId], listed.Ids());
        Assert.Empty((await s.Carol.GetAsync($"/api/accounts/{s.ClientId}/connections?state=active").ExpectAsync(HttpStatusCode.OK)).Ids());

        // Nothing about a connection that has ended can change but its end.
        await s.Carol.PutJsonAsync($"{s.ConnectionUrl}/permissions", new { permissions = new[] { "reports.read" } }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-not-active");
        await s.Carol.PutJsonAsync($"{s.ConnectionUrl}/expiry", new { duration = "P1Y" }).ExpectProblemAsync(HttpStatusCode.Conflict, "connection-not-active");
    }

    [Fact]
    public async Task The_timer_carries_out_the_disconnection_with_reason_expired_once_through_two_timers_a_crash_and_redeliveries()
    {
        var s = await ConnectAsync("P1D");
        var integration = await s.Alice.PostJsonAsync($"/api/accounts/{s.AgencyId}/integrations", new { name = "Ads feed", mappedClientAccountIds = new[] { s.ClientId } }).ExpectAsync(HttpStatusCode.Created);
        var expiresAt = s.AcceptedAt.AddDays(1);
        AdvanceTo(expiresAt);

        var preview = await s.Carol.GetAsync($"{s.ConnectionUrl}/disconnect-preview").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("expired", (string?)preview["reason"]);
        Assert.Equal(expiresAt, Instant(preview["expiresAt"]));
        Assert.Equal([(string)integration["id"]!], preview["integrationsToPause"]!.AsArray().Select(i => (string)i!["integrationId"]!));

        await Task.WhenAll(factory.RunTimerAsync(), factory.RunTimerAsync());

        // A timer that died after starting it, before it removed its index row: the next run finds the row and nothing to do.
        var data = factory.Services.GetRequiredService<DataStore>().Data;
        await data.UpsertEntityAsync(new TableEntity(Keys.ConnectionDuePartition, Keys.ConnectionDue(expiresAt, s.ConnectionId)), TableUpdateMode.Replace);
        await factory.RunTimerAsync();
        Assert.Null(await data.GetEntityIfExistsAsync(Keys.ConnectionDuePartition, Keys.ConnectionDue(expiresAt, s.ConnectionId)));

        var ending = await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("expired", (string?)ending["state"]);
        Assert.Equal("expired", (string?)ending["disconnectReason"]);
        Assert.Equal(expiresAt, Instant(ending["disconnectedAt"]));

        // A delivery the process died with (its lease runs out), then every message delivered twice.
        await factory.Services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);
        var queue = factory.Services.GetRequiredService<IQueueServiceClient>().GetQueueClient(DisconnectionRequested.QueueName);
        var died = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5)));
        Assert.NotNull(await queue.UpdateVisibilityAsync(died.MessageId, died.PopReceipt, TimeSpan.Zero));
        await factory.RunDisconnectionsAsync(deliveries: 2);

        var ended = await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("expired", (string?)ended["state"]);
        Assert.Null((string?)ended["disconnectFailure"]);
        var paused = await s.Alice.GetAsync($"/api/accounts/{s.AgencyId}/integrations/{integration["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([s.ClientId], paused["pausedFor"]!.AsArray().Select(c => (string)c!));
        await s.Rita.GetAsync(s.ReportsUrl).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        foreach (var (admin, toAgency) in new[] { (s.AliceUser, true), (s.CarolUser, false) })
        {
            await factory.MailAsync<DisconnectedEmail>(admin.Email);
            var mail = Assert.Single((await factory.AllMailAsync(admin.Email)).OfType<DisconnectedEmail>());
            Assert.True(mail.Expired);
            Assert.Equal(toAgency, mail.ToAgency);
            Assert.Equal(expiresAt, mail.DisconnectedAt);
            var text = EmailRenderer.Render(mail).TextBody;
            Assert.Contains($"reached its end date on {Utc(expiresAt)}", text, StringComparison.Ordinal);
            Assert.EndsWith($"/accounts/{(toAgency ? s.AgencyId : s.ClientId)}/connections", mail.ConnectAgainLink!.AbsoluteUri, StringComparison.Ordinal);
        }

        // The pair is free again: the agency may ask anew.
        await s.Alice.PostJsonAsync($"/api/accounts/{s.AgencyId}/connections", new { targetAccountId = s.ClientId }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Admins_of_both_sides_are_reminded_30_7_and_1_day_before_once_each_with_the_date_and_a_link()
    {
        var s = await ConnectAsync("P90D");
        var end = s.AcceptedAt.AddDays(90);
        var sent = 0;
        foreach (var days in new[] { 30, 7, 1 })
        {
            AdvanceTo(end.AddDays(-days).AddTicks(-1));
            await factory.RunTimerAsync();
            Assert.Equal(sent, (await factory.AllMailAsync(s.CarolUser.Email)).OfType<ConnectionExpiringEmail>().Count());
            AdvanceTo(end.AddDays(-days));
            await Task.WhenAll(factory.RunTimerAsync(), factory.RunTimerAsync());
            await factory.MailAsync<ConnectionExpiringEmail>(s.CarolUser.Email, ++sent);
        }

        foreach (var (admin, toAgency) in new[] { (s.AliceUser, true), (s.CarolUser, false) })
        {
            await factory.MailAsync<ConnectionExpiringEmail>(admin.Email, 3);
            var mails = (await factory.AllMailAsync(admin.Email)).OfType<ConnectionExpiringEmail>().ToList();
            Assert.Equal([30, 7, 1], mails.Select(m => m.DaysBefore));
            Assert.All(mails, m => Assert.Equal(end, m.ExpiresAt));
            Assert.All(mails, m => Assert.Equal(toAgency, m.ToAgency));
            var link = $"/connections/{s.ConnectionId}/{(toAgency ? "ask-to-extend" : "extend")}";
            Assert.All(mails, m => Assert.EndsWith(link, m.Link.AbsoluteUri, StringComparison.Ordinal));
            var text = EmailRenderer.Render(mails[^1]).TextBody;
            Assert.Contains($"ends on {Utc(end)}", text, StringComparison.Ordinal);
            Assert.Contains(link, text, StringComparison.Ordinal);
        }

        AdvanceTo(end);
        await factory.RunTimerAsync();
        Assert.Equal("expired", (string?)(await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["disconnectReason"]);
        Assert.Equal(3, (await factory.AllMailAsync(s.AliceUser.Email)).OfType<ConnectionExpiringEmail>().Count());
    }

    [Fact]
    public async Task Auto_extend_renews_once_by_the_same_duration_and_once_turned_off_the_connection_ends()
    {
        var s = await ConnectAsync("P30D", autoExtend: true);
        var first = s.AcceptedAt.AddDays(30);
        AdvanceTo(first.AddHours(-1).AddTicks(-1));
        await factory.RunTimerAsync();
        Assert.Equal(first, Instant((await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["expiresAt"]));

        AdvanceTo(first.AddHours(-1));
        await Task.WhenAll(factory.RunTimerAsync(), factory.RunTimerAsync());
        var renewed = await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK);
        var second = first.AddDays(30);
        Assert.Equal(second, Instant(renewed["expiresAt"]));
        Assert.True((bool)renewed["autoExtend"]!);
        AdvanceTo(first);
        await s.Rita.GetAsync(s.ReportsUrl).ExpectAsync(HttpStatusCode.OK);

        foreach (var (admin, toAgency) in new[] { (s.AliceUser, true), (s.CarolUser, false) })
        {
            await factory.MailAsync<ConnectionExtendedEmail>(admin.Email);
            var mail = Assert.Single((await factory.AllMailAsync(admin.Email)).OfType<ConnectionExtendedEmail>());
            Assert.Equal((first, second, toAgency), (mail.PreviousExpiresAt, mail.ExpiresAt, mail.ToAgency));
            Assert.Contains($"until {Utc(second)}", EmailRenderer.Render(mail).TextBody, StringComparison.Ordinal);
        }

        // The agency may turn it off (that ends it sooner); then it ends at the second end date.
        var off = await s.Alice.PutJsonAsync($"{s.ConnectionUrl}/expiry", new { autoExtend = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)off["autoExtend"]!);
        AdvanceTo(second.AddHours(-1));
        await factory.RunTimerAsync();
        Assert.Equal(second, Instant((await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["expiresAt"]));
        AdvanceTo(second);
        await factory.RunTimerAsync();
        await s.Rita.GetAsync(s.ReportsUrl).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Equal("expired", (string?)(await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["disconnectReason"]);
        Assert.Single((await factory.AllMailAsync(s.AliceUser.Email)).OfType<ConnectionExtendedEmail>());
    }

    [Fact]
    public async Task Either_side_ends_it_sooner_only_the_clients_orgAdmin_gives_it_more_time_and_bad_input_changes_nothing()
    {
        var s = await ConnectAsync("P30D");
        var now = factory.Clock.GetUtcNow();
        var expiry = $"{s.ConnectionUrl}/expiry";

        await s.Alice.PutJsonAsync(expiry, new { duration = "P1Y" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-expiry-lengthened");
        await s.Alice.PutJsonAsync(expiry, new { autoExtend = true }).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-expiry-lengthened");
        await s.Rita.PutJsonAsync(expiry, new { duration = "P7D" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var sooner = now.AddDays(10);
        var shortened = await s.Alice.PutJsonAsync(expiry, new { expiresAt = sooner.ToString("O", CultureInfo.InvariantCulture) }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(sooner, Instant(shortened["expiresAt"]));

        foreach (var (body, code) in new (object Body, string Code)[]
        {
            (new { duration = "P3Y" }, "validation"),
            (new { duration = "P1D", expiresAt = sooner.ToString("O", CultureInfo.InvariantCulture) }, "validation"),
            (new { }, "validation"),
            (new { expiresAt = "tomorrow" }, "validation"),
            (new { expiresAt = "2030-01-01T00:00:00" }, "validation"),
            (new { expiresAt = now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture) }, "connection-expiry-out-of-range"),
            (new { expiresAt = now.AddYears(3).ToString("O", CultureInfo.InvariantCulture) }, "connection-expiry-out-of-range"),
        })
        {
            await s.Carol.PutJsonAsync(expiry, body).ExpectProblemAsync(HttpStatusCode.BadRequest, code);
        }

        Assert.Equal(sooner, Instant((await s.Carol.GetAsync(s.ConnectionUrl).ExpectAsync(HttpStatusCode.OK))["expiresAt"]));

        var stale = await s.Carol.ETagOfAsync(s.ConnectionUrl);
        await s.Alice.PutJsonAsync(expiry, new { expiresAt = now.AddDays(9).ToString("O", CultureInfo.InvariantCulture) }).ExpectAsync(HttpStatusCode.OK);
        await s.Carol.PutJsonAsync(expiry, new { duration = "P1Y", autoExtend = true }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        var longer = await s.Carol.PutJsonAsync(expiry, new { duration = "P1Y", autoExtend = true }, await s.Carol.ETagOfAsync(s.ConnectionUrl)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(now.AddYears(1), Instant(longer["expiresAt"]));
        Assert.True((bool)longer["autoExtend"]!);
    }

    [Fact]
    public async Task The_acceptor_may_shorten_the_requested_duration_never_lengthen_it_and_an_agency_created_client_carries_one()
    {
        var alice = factory.Signed(TestUser.New("alice"));
        var carol = factory.Signed(TestUser.New("carol"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        var connections = $"/api/accounts/{agencyId}/connections";

        await alice.PostJsonAsync(connections, new { targetAccountId = clientId, duration = "P3Y" }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await alice.PostJsonAsync(connections, new { targetAccountId = clientId, duration = "soon" }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        await alice.PostJsonAsync(connections, new { targetAccountId = clientId, autoExtend = true }).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        var requested = await alice.PostJsonAsync(connections, new { targetAccountId = clientId, duration = "P30D", autoExtend = true }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("P30D", (string?)requested["duration"]);
        Assert.Null(requested["expiresAt"]);
        var accept = $"/api/connections/{requested["id"]}/accept";

        await carol.PostJsonAsync(accept, new { duration = "P60D" }).ExpectProblemAsync(HttpStatusCode.BadRequest, "connection-duration-lengthened");
        var accepted = await carol.PostJsonAsync(accept, new { duration = "P7D", autoExtend = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(factory.Clock.GetUtcNow().AddDays(7), Instant(accepted["expiresAt"]));
        Assert.False((bool)accepted["autoExtend"]!);

        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test", duration = "P6M", autoExtend = true })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(Months(factory.Clock.GetUtcNow(), 6), Instant(created["connection"]!["expiresAt"]));
        Assert.True((bool)created["connection"]!["autoExtend"]!);
    }

    /// <summary>Agency "Acme Agency" (orgAdmin Alice, regularUser Rita) connected to client "Bob's Bikes" (orgAdmin Carol), accepted at the clock's time.</summary>
    private async Task<Scene> ConnectAsync(string duration, bool autoExtend = false)
    {
        var (aliceUser, carolUser, ritaUser) = (TestUser.New("alice"), TestUser.New("carol"), TestUser.New("rita"));
        var (alice, carol) = (factory.Signed(aliceUser), factory.Signed(carolUser));
        var agencyId = await alice.CreateAccountAsync("agency", "Acme Agency");
        var clientId = await carol.CreateAccountAsync("client", "Bob's Bikes");
        await factory.AddMemberAsync(agencyId, ritaUser, "regularUser");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId, duration, autoExtend }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)requested["id"]!;
        var acceptedAt = factory.Clock.GetUtcNow();
        await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        return new(aliceUser, carolUser, alice, carol, factory.Signed(ritaUser), agencyId, clientId, connectionId, acceptedAt);
    }

    private void AdvanceTo(DateTimeOffset instant) => factory.Clock.Advance(instant - factory.Clock.GetUtcNow());

    private static DateTimeOffset Instant(JsonNode? node) => DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);

    /// <summary>The e-mails' date format, as docs/email.md gives it.</summary>
    private static string Utc(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>Calendar months in UTC, as ISO 8601 counts them (the BCL's month addition clamps the day the same way).</summary>
    private static DateTimeOffset Months(DateTimeOffset start, int months) => new DateTimeOffset(start.UtcDateTime.AddMonths(months), TimeSpan.Zero);

    private sealed record Scene(
        TestUser AliceUser, TestUser CarolUser, HttpClient Alice, HttpClient Carol, HttpClient Rita,
        string AgencyId, string ClientId, string ConnectionId, DateTimeOffset AcceptedAt)
    {
        public string ConnectionUrl => $"/api/connections/{ConnectionId}";

        public string ReportsUrl => $"/api/accounts/{ClientId}/reports";
    }
}

public sealed class TimeBoundConnectionTests(ExpiryFactory factory) : TimeBoundConnectionScenarios(factory), IClassFixture<ExpiryFactory>;

[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class TimeBoundConnectionOnAzureStorageTests(ExpiryOnAzureFactory factory) : TimeBoundConnectionScenarios(factory), IClassFixture<ExpiryOnAzureFactory>;
