using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Expiry;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Activity;

/// <summary>
/// The activity trails through the HTTP API on a manual clock (each step a second apart, so newest-first is one
/// order): what each change records, who is named, the connection's history both sides read, paging and
/// <c>since</c>, and the retention sweep. The action names and fields are docs/api.md's.
/// </summary>
public abstract class ActivityTrailScenarios(ExpiryFactory factory)
{
    [Fact]
    public async Task Every_change_of_a_connection_and_the_agency_users_work_on_the_client_is_recorded_with_who_did_it()
    {
        var s = await SceneAsync();
        var report = (string)(await s.Rita.PostJsonAsync($"/api/accounts/{s.ClientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        Tick();
        using (var export = await s.Rita.GetAsync($"/api/accounts/{s.ClientId}/reports/{report}/export"))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        }

        Tick();
        await s.Carol.PutJsonAsync($"{s.ConnectionUrl}/permissions", new { permissions = new[] { "reports.read" } }).ExpectAsync(HttpStatusCode.OK);
        Tick();

        // Refused changes record nothing: a widening by the agency, a stale If-Match.
        var stale = "\"0x0\"";
        await s.Alice.PutJsonAsync($"{s.ConnectionUrl}/permissions", new { permissions = new[] { "reports.read", "reports.export" } }).ExpectProblemAsync(HttpStatusCode.Forbidden, "connection-permissions-widened");
        await s.Carol.PutJsonAsync($"{s.ConnectionUrl}/permissions", new { permissions = Array.Empty<string>() }, stale).ExpectProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");

        await s.Carol.PostAsync($"{s.ConnectionUrl}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        Tick();
        await factory.RunDisconnectionsAsync(deliveries: 2);

        var history = await AllAsync(s.Alice, $"{s.ConnectionUrl}/activity");
        Assert.Equal(["connection.disconnected", "connection.disconnectStarted", "connection.permissionsChanged", "connection.accepted", "connection.requested"], Actions(history));
        Assert.Equal(history.Select(e => e.ToJsonString()), (await AllAsync(s.Carol, $"{s.ConnectionUrl}/activity")).Select(e => e.ToJsonString()));
        AssertActor(history[0], null, "system", null);
        AssertActor(history[1], s.CarolUser, "member", s.ClientId);
        AssertActor(history[4], s.AliceUser, "member", s.AgencyId);
        Assert.Equal("reports.read", (string?)history[2]["details"]!["permissions"]);
        Assert.Equal("requested", (string?)history[1]["details"]!["reason"]);
        Assert.All(history, e => Assert.Equal(("connection", s.ConnectionId, "Acme Agency → Bob's Bikes"), Subject(e)));

        var trail = await AllAsync(s.Carol, $"/api/accounts/{s.ClientId}/activity");
        Assert.Equal(
            ["connection.disconnected", "connection.disconnectStarted", "connection.permissionsChanged", "report.exported", "report.created", "connection.accepted", "connection.requested", "account.created"],
            Actions(trail));
        foreach (var work in trail.Where(e => ((string)e["action"]!).StartsWith("report.", StringComparison.Ordinal)))
        {
            // An agency user's work on the client names the agency person, through the connection.
            AssertActor(work, s.RitaUser, "connection", s.AgencyId);
            Assert.Equal(("report", report, "Q4"), Subject(work));
        }

        // The agency's trail shows its connection's history too (a copy the outbox delivered), beside its own entries.
        Assert.Equal(
            ["connection.disconnected", "connection.disconnectStarted", "connection.permissionsChanged", "connection.accepted", "connection.requested", "account.created"],
            Actions(await AllAsync(s.Alice, $"/api/accounts/{s.AgencyId}/activity")));
    }

    [Fact]
    public async Task The_trail_pages_newest_first_and_since_keeps_the_entries_at_or_after_it()
    {
        var s = await SceneAsync();
        foreach (var name in new[] { "One", "Two", "Three" })
        {
            await s.Carol.PostJsonAsync($"/api/accounts/{s.ClientId}/reports", new { name }).ExpectAsync(HttpStatusCode.Created);
            Tick();
        }

        var url = $"/api/accounts/{s.ClientId}/activity";
        var first = await s.Carol.GetAsync($"{url}?pageSize=2").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Three", "Two"], first["items"]!.AsArray().Select(e => (string)e!["subject"]!["name"]!));
        var token = Uri.EscapeDataString((string)first["continuationToken"]!);
        var second = await s.Carol.GetAsync($"{url}?pageSize=2&continuationToken={token}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["One", "Acme Agency → Bob's Bikes"], second["items"]!.AsArray().Select(e => (string)e!["subject"]!["name"]!));

        var two = first["items"]![1]!;
        var since = Uri.EscapeDataString((string)two["at"]!);
        var recent = await s.Carol.GetAsync($"{url}?since={since}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Three", "Two"], recent["items"]!.AsArray().Select(e => (string)e!["subject"]!["name"]!));
        Assert.Null(recent["continuationToken"]);

        foreach (var bad in new[] { "?since=yesterday", "?since=2026-01-01T00:00:00", "?pageSize=0", "?pageSize=201", "?continuationToken=nope" })
        {
            await s.Carol.GetAsync(url + bad).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
        }

        await s.Rita.GetAsync(url).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden-through-connection");
    }

    [Fact]
    public async Task Entries_past_retention_are_swept_from_both_trails_and_newer_ones_stay()
    {
        var s = await SceneAsync();
        var retention = TimeSpan.FromDays(400);
        factory.Clock.Advance(retention + TimeSpan.FromDays(2));
        var kept = (string)(await s.Carol.PostJsonAsync($"/api/accounts/{s.ClientId}/reports", new { name = "Kept" }).ExpectAsync(HttpStatusCode.Created))["id"]!;

        // At least this scene's two account creations, the request and the acceptance (the class's other tests share the clock).
        Assert.True(await SweepAsync() >= 4);
        Assert.Equal(0, await SweepAsync());

        Assert.Equal(["report.created"], Actions(await AllAsync(s.Carol, $"/api/accounts/{s.ClientId}/activity")));
        Assert.Equal(kept, (string?)(await AllAsync(s.Carol, $"/api/accounts/{s.ClientId}/activity"))[0]["subject"]!["id"]);
        Assert.Empty(await AllAsync(s.Carol, $"{s.ConnectionUrl}/activity"));
        Assert.Empty(await AllAsync(s.Alice, $"/api/accounts/{s.AgencyId}/activity"));
        var data = factory.Services.GetRequiredService<DataStore>().Data;
        var days = await data.QueryAsync(new TableQuery { PartitionKey = Keys.ActivityDaysPartition, RowKeyTo = Keys.ActivityDay(factory.Clock.GetUtcNow() - retention, "") });
        Assert.DoesNotContain(days.Items, d => d.RowKey.EndsWith(s.ClientId, StringComparison.Ordinal) || d.RowKey.EndsWith(s.AgencyId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_invitations_of_an_account_are_on_its_trail_sent_resent_cancelled_declined_and_expired()
    {
        var s = await SceneAsync();
        var (dana, erin) = (TestUser.New("dana"), TestUser.New("erin"));
        var members = $"/api/accounts/{s.ClientId}/members";
        var first = (string)(await s.Carol.PostJsonAsync(members, new { email = dana.Email, role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted))["id"]!;
        Tick();
        var resent = (string)(await s.Carol.PostAsync($"/api/accounts/{s.ClientId}/invitations/{first}/resend", null).ExpectAsync(HttpStatusCode.OK))["id"]!;
        Tick();
        await s.Carol.PostAsync($"/api/accounts/{s.ClientId}/invitations/{resent}/cancel", null).ExpectAsync(HttpStatusCode.OK);
        Tick();
        await s.Carol.PostJsonAsync(members, new { email = erin.Email, role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted);
        Tick();
        var token = Invitations.InvitationsFactory.TokenOf(Assert.Single(await factory.MailAsync<ConnectedAccounts.Functions.Email.MemberInvitedEmail>(erin.Email)).AcceptLink);
        await factory.Signed(erin).PostAsync($"/api/invitations/{token}/decline", null).ExpectAsync(HttpStatusCode.OK);
        Tick();
        await s.Carol.PostJsonAsync(members, new { email = $"late.{Guid.NewGuid():N}@bikes.test", role = "viewOnly" }).ExpectAsync(HttpStatusCode.Accepted);
        factory.Clock.Advance(TimeSpan.FromDays(8));
        await factory.Services.GetRequiredService<ConnectedAccounts.Functions.Invitations.InvitationCleanup>().RunAsync(CancellationToken.None);
        await factory.RunDisconnectionsAsync();

        var trail = (await AllAsync(s.Carol, $"/api/accounts/{s.ClientId}/activity")).Where(e => ((string)e["action"]!).StartsWith("invitation.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["invitation.expired", "invitation.sent", "invitation.declined", "invitation.sent", "invitation.cancelled", "invitation.resent", "invitation.sent"], Actions(trail));
        AssertActor(trail[0], null, "system", null);
        Assert.Equal((erin.Id, "invitee"), ((string?)trail[2]["actor"]!["userId"], (string?)trail[2]["actor"]!["via"]));
        Assert.All(trail.Skip(3), e => AssertActor(e, s.CarolUser, "member", s.ClientId));
        Assert.Equal(("invitation", first, dana.Email.ToLowerInvariant()), Subject(trail[6]));
        Assert.Equal(("member", "viewOnly"), ((string?)trail[6]["details"]!["kind"], (string?)trail[6]["details"]!["role"]));
    }

    private async Task<int> SweepAsync()
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ActivitySweep>().RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Archiving_an_agency_created_clients_reports_records_each_batch_in_it_with_its_count()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.Signed(aliceUser);
        var agencyId = await alice.CreateAccountAsync("agency", "Acme Agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Dana's Deli", email = "dana@deli.test" }).ExpectAsync(HttpStatusCode.Created);
        var (clientId, connectionId) = ((string)created["account"]!["id"]!, (string)created["connection"]!["id"]!);
        for (var i = 0; i < 110; i++)
        {
            await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = $"R{i}" }).ExpectAsync(HttpStatusCode.Created);
        }

        Tick();
        await alice.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        Tick();
        await factory.RunDisconnectionsAsync(deliveries: 2);

        // A batch is 100 rows: the entry's two (trail and history) and 98 reports; 110 reports are two batches.
        var history = await AllAsync(alice, $"/api/connections/{connectionId}/activity");
        var batches = history.Where(e => (string)e["action"]! == "account.reportsArchived").ToList();
        Assert.Equal([12, 98], batches.Select(e => int.Parse((string)e["details"]!["reports"]!, CultureInfo.InvariantCulture)).Order());
        Assert.All(batches, e =>
        {
            AssertActor(e, null, "system", null);
            Assert.Equal(("account", clientId, "Dana's Deli"), Subject(e));
        });
        Assert.Equal("110", (string?)history.Single(e => (string)e["action"]! == "connection.disconnected")["details"]!["reportsArchived"]);
    }

    /// <summary>Agency "Acme Agency" (orgAdmin Alice, regularUser Rita) and client "Bob's Bikes" (orgAdmin Carol), connected; a second between steps.</summary>
    private async Task<Scene> SceneAsync()
    {
        var (aliceUser, carolUser, ritaUser) = (TestUser.New("alice"), TestUser.New("carol"), TestUser.New("rita"));
        var (alice, carol) = (factory.Signed(aliceUser), factory.Signed(carolUser));
        var agencyId = await alice.CreateAccountAsync("agency", "Acme Agency");
        Tick();
        var clientId = await carol.CreateAccountAsync("client", "Bob's Bikes");
        Tick();
        await factory.AddMemberAsync(agencyId, ritaUser, "regularUser");
        var requested = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        Tick();
        var connectionId = (string)requested["id"]!;
        await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
        Tick();
        return new(aliceUser, carolUser, ritaUser, alice, carol, factory.Signed(ritaUser), agencyId, clientId, connectionId);
    }

    private void Tick() => factory.Clock.Advance(TimeSpan.FromSeconds(1));

    private static async Task<List<JsonNode>> AllAsync(HttpClient client, string url)
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var page = await client.GetAsync(token is null ? url : $"{url}?continuationToken={Uri.EscapeDataString(token)}").ExpectAsync(HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(e => e!));
            token = (string?)page["continuationToken"];
        }
        while (token is not null);

        return all;
    }

    private static List<string> Actions(IEnumerable<JsonNode> entries) => entries.Select(e => (string)e["action"]!).ToList();

    private static (string?, string?, string?) Subject(JsonNode entry) =>
        ((string?)entry["subject"]!["type"], (string?)entry["subject"]!["id"], (string?)entry["subject"]!["name"]);

    private static void AssertActor(JsonNode entry, TestUser? user, string via, string? accountId)
    {
        var actor = entry["actor"]!;
        Assert.Equal(user?.Id, (string?)actor["userId"]);
        Assert.Equal(user?.Email, (string?)actor["email"]);
        Assert.Equal(via, (string?)actor["via"]);
        Assert.Equal(accountId, (string?)actor["accountId"]);
        Assert.True(DateTimeOffset.TryParse((string?)entry["at"], CultureInfo.InvariantCulture, out _));
    }

    private sealed record Scene(
        TestUser AliceUser, TestUser CarolUser, TestUser RitaUser, HttpClient Alice, HttpClient Carol, HttpClient Rita,
        string AgencyId, string ClientId, string ConnectionId)
    {
        public string ConnectionUrl => $"/api/connections/{ConnectionId}";
    }
}

public sealed class ActivityTrailTests(ExpiryFactory factory) : ActivityTrailScenarios(factory), IClassFixture<ExpiryFactory>;

[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class ActivityTrailOnAzureStorageTests(ExpiryOnAzureFactory factory) : ActivityTrailScenarios(factory), IClassFixture<ExpiryOnAzureFactory>;
