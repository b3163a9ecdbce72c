using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ConnectedAccounts.Domain.Common;
using ConnectedAccounts.Functions;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Functions.Resources;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// Issue 4, "crash safety with a real process": the service runs standalone on SQLite as its own process; an agency
/// disconnects a client it created that holds 5,000 reports, and the process is SIGKILLed while the disconnection
/// worker archives them — more than once — then started again until the connection says <c>disconnected</c>. Every
/// effect must then be applied exactly once: each report archived, and no report archived before a crash written
/// again after it; every planned integration paused for this client only; one e-mail per admin; no outbox row,
/// queue message or poison message left behind. The whole archive takes well under a second here, so a kill may
/// still arrive after it ended; such a run proves nothing about a crash, and the scenario runs again on a new file.
/// </summary>
public sealed class DisconnectionCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Reports = 5_000;
    private const int KillCycles = 3;
    private const int Attempts = 3;

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("crash-tests-");
    private ServiceProcess? _service;
    private string _dataPath = "";

    private string DatabasePath => new StorageOptions { DataPath = _dataPath }.SqlitePath;

    private string MailDirectory => Path.Combine(_dataPath, "mail");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        _data.Delete(recursive: true);
    }

    [Fact]
    public async Task A_disconnection_killed_mid_archive_and_restarted_applies_every_effect_exactly_once()
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            _dataPath = _data.CreateSubdirectory($"attempt-{attempt}").FullName;
            if (await DisconnectKillAndRestartAsync())
            {
                return;
            }

            await _service!.DisposeAsync();
            _service = null;
            output.WriteLine($"attempt {attempt}: no kill landed while the reports were being archived");
        }

        Assert.Fail($"No kill landed while the reports were being archived, in {Attempts} attempts.");
    }

    /// <summary>
    /// The scenario on the current data folder; false when no kill landed mid-archive, so nothing was proven, and
    /// true when one did and every effect was then found applied exactly once.
    /// </summary>
    private async Task<bool> DisconnectKillAndRestartAsync()
    {
        var started = Stopwatch.StartNew();

        // 1. Through the API: an agency, the client it created (to be disconnected), a second client it created,
        //    and integrations on the agency: one only for the client, one shared by both, one only for the other.
        _service = await ServiceProcess.StartAsync(_dataPath, output);
        var admin = await _service.SignInAsync("alice@agency.test", "Alice");
        var agencyId = (string)(await admin.PostAsJsonAsync("/api/accounts", new { name = "Agency", kind = "agency" }).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var created = await admin.PostAsJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = "owner@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        var connectionId = (string)created["connection"]!["id"]!;
        var other = await admin.PostAsJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Boats", email = "owner@boats.test" }).ExpectAsync(HttpStatusCode.Created);
        var otherClientId = (string)other["account"]!["id"]!;
        var onlyClient = await CreateIntegrationAsync(admin, agencyId, "Feed", clientId);
        var shared = await CreateIntegrationAsync(admin, agencyId, "Shared feed", clientId, otherClientId);
        var onlyOther = await CreateIntegrationAsync(admin, agencyId, "Other feed", otherClientId);
        await _service.KillAsync();

        // 2. With the service stopped, 5,000 reports written straight into its file, shaped exactly as the API
        //    writes them (the same ResourceStore<Report>.ToEntity and archive columns).
        await using (var tables = new SqliteTableServiceClient(DatabasePath))
        {
            await SeedReportsAsync(tables, clientId);
        }

        await using var reader = new SqliteTableServiceClient(DatabasePath);
        var data = reader.GetTableClient(Keys.DataTable);
        var seeded = await ReadReportsAsync(data, clientId);
        Assert.Equal(0, seeded.Count(r => r.Archived));
        var keys = seeded.Select(r => r.RowKey).Order(StringComparer.Ordinal).ToList();
        var mailBefore = MailFiles();
        output.WriteLine($"setup done at {started.Elapsed.TotalSeconds:F1} s");

        // 3. Disconnect, then kill the process while the worker is archiving; start it again and kill it again.
        _service = await ServiceProcess.StartAsync(_dataPath, output);
        admin = await _service.SignInAsync("alice@agency.test", "Alice");
        await admin.PostAsync(new Uri($"/api/connections/{connectionId}/disconnect", UriKind.Relative), null).ExpectAsync(HttpStatusCode.Accepted);

        var archivedBeforeCrash = new Dictionary<string, ReportRow>(StringComparer.Ordinal);
        var midArchiveKills = 0;
        for (var cycle = 1; cycle <= KillCycles; cycle++)
        {
            if (cycle > 1)
            {
                _service = await ServiceProcess.StartAsync(_dataPath, output);
            }

            var previous = archivedBeforeCrash.Count;
            var progressed = await WaitForProgressAsync(data, clientId, keys[previous], TimeSpan.FromSeconds(20));
            await _service.KillAsync();

            var rows = await ReadReportsAsync(data, clientId);
            var archived = rows.Where(r => r.Archived).ToList();
            foreach (var row in archived)
            {
                // A row archived before an earlier crash must still be exactly what it was then.
                if (archivedBeforeCrash.TryGetValue(row.RowKey, out var before))
                {
                    Assert.Equal(before, row);
                }
                else
                {
                    archivedBeforeCrash[row.RowKey] = row;
                }
            }

            var partial = archived.Count is > 0 and < Reports;
            midArchiveKills += partial ? 1 : 0;
            output.WriteLine($"kill {cycle} at {started.Elapsed.TotalSeconds:F1} s: {(progressed ? $"saw report {previous + 1} archived" : "saw no progress")} before the kill, {archived.Count} of {Reports} archived after it{(partial ? " (mid-archive)" : "")}");
            if (archived.Count == Reports)
            {
                break;
            }
        }

        // The point of the test: at least one kill cut the archiving off half way.
        if (midArchiveKills == 0)
        {
            return false;
        }

        // 4. Start it once more and let it finish.
        _service = await ServiceProcess.StartAsync(_dataPath, output);
        admin = await _service.SignInAsync("alice@agency.test", "Alice");
        await EventuallyAsync(
            async () => (string?)(await admin.GetAsync(new Uri($"/api/connections/{connectionId}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK))["state"] == "disconnected",
            "the connection to say disconnected",
            TimeSpan.FromSeconds(40));

        var plan = await ReadPlanAsync(data, clientId, connectionId);
        Assert.True(plan.AgencyCreatedClient);
        Assert.Equal(Reports, plan.ReportsToArchive);
        Assert.Equal(new[] { onlyClient, shared }.Order(StringComparer.Ordinal), plan.IntegrationsToPause.Select(i => i.IntegrationId).Order(StringComparer.Ordinal));
        Assert.NotEmpty(plan.AdminsToNotify);

        // Integrations: paused for this client only; the other client is still fed.
        foreach (var (id, pausedFor) in new[] { (onlyClient, new[] { clientId }), (shared, new[] { clientId }), (onlyOther, Array.Empty<string>()) })
        {
            var integration = await admin.GetAsync(new Uri($"/api/accounts/{agencyId}/integrations/{id}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(pausedFor, integration["pausedFor"]!.AsArray().Select(c => (string)c!));
        }

        // One e-mail per admin (the pickup sender names each file after the message's idempotency key), and nothing
        // left in the outbox, the disconnection queue or its poison queue.
        var expectedMail = plan.AdminsToNotify.Select(a => PickupFolderEmailSender.FileNameFor($"disconnected.{connectionId}.{a.UserId}")).Order(StringComparer.Ordinal).ToList();
        var queues = new SqliteQueueServiceClient(DatabasePath, TimeProvider.System);
        await using (queues)
        {
            await EventuallyAsync(
                async () => DisconnectionMail(mailBefore).Count >= expectedMail.Count
                    && await OutboxRowsAsync(data, clientId) == 0
                    && await queues.GetQueueClient(DisconnectionRequested.QueueName).GetApproximateMessageCountAsync() == 0
                    && await queues.GetQueueClient(EmailQueue.Name).GetApproximateMessageCountAsync() == 0,
                "the e-mails to be sent and the outbox and queues to drain",
                TimeSpan.FromSeconds(40));
            await _service.KillAsync();

            Assert.Equal(expectedMail, DisconnectionMail(mailBefore));
            // A kill during an e-mail's write may leave its temporary file, never a partial .eml: each one is whole.
            Assert.All(Directory.GetFiles(MailDirectory, "*.eml"), file => Assert.False(string.IsNullOrEmpty(MimeKit.MimeMessage.Load(file).TextBody), file));
            Assert.Equal(0, await OutboxRowsAsync(data, clientId));
            Assert.Equal(0, await queues.GetQueueClient(DisconnectionRequested.QueueName).GetApproximateMessageCountAsync());
            Assert.Equal(0, await queues.GetQueueClient(ConnectedAccounts.Functions.Hosting.QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName)).GetApproximateMessageCountAsync());
            Assert.Equal(0, await queues.GetQueueClient(ConnectedAccounts.Functions.Hosting.QueueMessageProcessor.PoisonQueueName(EmailQueue.Name)).GetApproximateMessageCountAsync());
        }

        // Every report archived, once: rows archived before a crash are unchanged (same ETag, same ArchivedAt).
        var final = await ReadReportsAsync(data, clientId);
        Assert.Equal(Reports, final.Count);
        Assert.All(final, r => Assert.True(r.Archived && r.ArchivedAt is not null, r.RowKey));
        Assert.All(archivedBeforeCrash.Values, before => Assert.Equal(before, final.Single(r => r.RowKey == before.RowKey)));
        output.WriteLine($"{midArchiveKills} kill(s) landed mid-archive; {archivedBeforeCrash.Count} rows archived before the last crash; whole test {started.Elapsed.TotalSeconds:F1} s");
        return true;
    }

    private static async Task<string> CreateIntegrationAsync(HttpClient admin, string agencyId, string name, params string[] clients) =>
        (string)(await admin.PostAsJsonAsync($"/api/accounts/{agencyId}/integrations", new { name, mappedClientAccountIds = clients }).ExpectAsync(HttpStatusCode.Created))["id"]!;

    private async Task SeedReportsAsync(SqliteTableServiceClient tables, string clientId)
    {
        await using var queues = new SqliteQueueServiceClient(DatabasePath, TimeProvider.System);
        using var relay = new OutboxRelay(tables, queues, NullLogger<OutboxRelay>.Instance);
        var store = new DataStore(tables, relay, TimeProvider.System, new ActivityDays());
        var reports = new ResourceStore<Report>(store, ReportsApi.Kind, AppJsonContext.Default.Report, ReportsApi.ArchiveColumns);
        var now = DateTimeOffset.UtcNow;
        foreach (var chunk in Enumerable.Range(0, Reports).Chunk(100))
        {
            var actions = chunk.Select(i =>
            {
                var report = new Report(Ids.New("rep"), clientId, $"Report {i}", null, SharedWithClient: false, Archived: false, null, "seed", now, now);
                return TableTransactionAction.Add(reports.ToEntity(clientId, report.Id, report));
            }).ToList();
            Assert.True((await store.Data.SubmitTransactionAsync(actions)).Succeeded);
        }
    }

    /// <summary>
    /// Waits until the first report not archived before (the worker archives in row-key order, a batch at a time) is
    /// archived: a point read, so the kill that follows lands within a batch or two of the worker's progress.
    /// </summary>
    private static async Task<bool> WaitForProgressAsync(ITableClient data, string clientId, string nextRowKey, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var row = await data.GetEntityIfExistsAsync(clientId, nextRowKey);
            if (row?.GetBoolean("Archived") == true)
            {
                return true;
            }

            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(2);
        }
    }

    private sealed record ReportRow(string RowKey, bool Archived, DateTimeOffset? ArchivedAt, string ETag);

    private static async Task<List<ReportRow>> ReadReportsAsync(ITableClient data, string clientId)
    {
        var rows = new List<ReportRow>();
        string? token = null;
        do
        {
            var page = await data.QueryAsync(new TableQuery { PartitionKey = clientId, RowKeyPrefix = Keys.ResourcePrefix(ReportsApi.Kind), Select = ["Archived", "ArchivedAt"], ContinuationToken = token });
            rows.AddRange(page.Items.Select(r => new ReportRow(r.RowKey, r.GetBoolean("Archived") == true, r.GetDateTimeOffset("ArchivedAt"), r.ETag.ToString())));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return rows;
    }

    private static async Task<DisconnectionPlan> ReadPlanAsync(ITableClient data, string clientId, string connectionId)
    {
        var entity = await data.GetEntityIfExistsAsync(clientId, DisconnectionPlan.RowKey(connectionId));
        Assert.NotNull(entity);
        return Documents.FromEntity(entity, AppJsonContext.Default.DisconnectionPlan);
    }

    private static async Task<int> OutboxRowsAsync(ITableClient data, string partitionKey) =>
        (await data.QueryAsync(new TableQuery { PartitionKey = partitionKey, RowKeyPrefix = Keys.OutboxPrefix })).Items.Count;

    /// <summary>
    /// The disconnection e-mails written since <paramref name="before"/>; other mail (the new client's invitation)
    /// may arrive in the same folder meanwhile.
    /// </summary>
    private List<string> DisconnectionMail(HashSet<string> before) =>
        MailFiles().Except(before)
            .Where(f => File.ReadAllText(Path.Combine(MailDirectory, f)).Contains("are no longer connected", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    private HashSet<string> MailFiles() =>
        Directory.Exists(MailDirectory)
            ? Directory.GetFiles(MailDirectory, "*.eml").Select(f => Path.GetFileName(f)!).ToHashSet(StringComparer.Ordinal)
            : [];

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            await Task.Delay(100);
        }
    }
}
