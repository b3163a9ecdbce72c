using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Storage.Tests.Azure;
using Xunit.Abstractions;

namespace ConnectedAccounts.Api.Tests.Faults;

/// <summary>
/// A short mixed load on storage that fails 10 % of its requests (503 without sending, connection dropped before
/// sending, answer lost after the store applied it), the queue handlers included. Clients behave as clients do: a
/// 5xx is tried again with the same Idempotency-Key. Afterwards, with the faults off and the queues drained, every
/// effect is counted against what the clients were told. docs/storage-faults.md records a run's counts.
/// </summary>
[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class MixedFaultLoadTests(FaultyStorageApiFactory api, ITestOutputHelper output) : IClassFixture<FaultyStorageApiFactory>
{
    private const int Tenants = 8;
    private const int ReportsPerTenant = 20;
    private const int ClientsPerTenant = 3;

    /// <summary>
    /// A receive whose answer was lost (the SDK then tries again and gets nothing) hides its messages for this long;
    /// the drains wait them out, or a late message would count as a lost effect.
    /// </summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private readonly ConcurrentBag<string> _wrong = [];
    private int _requests;
    private int _fiveHundreds;
    private int _wrongConflicts;

    private sealed record Tenant(HttpClient Agency, string AgencyId, HttpClient Client, string ClientId, string Tag)
    {
        public ConcurrentBag<string> ClientEmails { get; } = [];

        public string? ConnectionId { get; set; }

        public string? DisconnectedId { get; set; }

        public string? DisconnectedClientId { get; set; }
    }

    [Fact]
    public async Task Ten_percent_faults_make_no_500_no_wrong_409_and_no_lost_or_duplicated_effect()
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < Tenants; i++)
        {
            var agency = api.ClientFor(TestUser.New($"agency-{i}"));
            var client = api.ClientFor(TestUser.New($"client-{i}"));
            tenants.Add(new Tenant(agency, await agency.CreateAccountAsync("agency"), client, await client.CreateAccountAsync("client"), Guid.NewGuid().ToString("N")[..8]));
        }

        api.Faults.FailAtRate(0.10, seed: 20261202);
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = Tenants }, async (tenant, _) => await LoadAsync(tenant));
        var handlerFailures = 0;
        var drainFailures = 0;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await api.DrainAsync(onHandlerFailure: _ => Interlocked.Increment(ref handlerFailures), lease: Lease);
                break;
            }
            catch (Exception e) when (e is IOException or Azure.RequestFailedException or AggregateException)
            {
                drainFailures++;
            }
        }

        var injected = new Dictionary<StorageFaults.Kind, int>(api.Faults.Injected);
        api.Faults.Off();
        await api.DrainAsync(lease: Lease);

        var (lost, duplicated) = await CountEffectsAsync(tenants);
        output.WriteLine($"{_requests} requests; faults injected: {string.Join(", ", injected.Select(p => $"{p.Key} {p.Value}"))}; " +
            $"handler calls that failed and were retried: {handlerFailures}; drains interrupted: {drainFailures}");
        output.WriteLine($"500s {_fiveHundreds}, wrong 409s {_wrongConflicts}, lost effects {lost}, duplicated effects {duplicated}");
        foreach (var wrong in _wrong)
        {
            output.WriteLine(wrong);
        }

        Assert.True(injected.Values.Sum() > 50, "The load met too few faults to say anything.");
        Assert.Equal((0, 0, 0, 0), (_fiveHundreds, _wrongConflicts, lost, duplicated));
        Assert.Empty(_wrong);
    }

    private async Task LoadAsync(Tenant t)
    {
        for (var i = 0; i < ReportsPerTenant; i++)
        {
            await CallAsync(t.Client, $"/api/accounts/{t.ClientId}/reports", new { name = $"{t.Tag}-report-{i}" }, HttpStatusCode.Created);
        }

        var requested = await CallAsync(t.Agency, $"/api/accounts/{t.AgencyId}/connections", new { targetAccountId = t.ClientId }, HttpStatusCode.Created);
        t.ConnectionId = (string?)requested?["id"];
        if (t.ConnectionId is not null)
        {
            await CallAsync(t.Client, $"/api/connections/{t.ConnectionId}/accept", null, HttpStatusCode.OK);
        }

        for (var i = 0; i < ClientsPerTenant; i++)
        {
            var email = $"{t.Tag}.owner{i}@faults.test";
            var created = await CallAsync(t.Agency, $"/api/accounts/{t.AgencyId}/clients", new { name = $"{t.Tag}-client-{i}", email }, HttpStatusCode.Created);
            t.ClientEmails.Add(email);
            if (i == 0 && created is not null)
            {
                t.DisconnectedClientId = (string)created["account"]!["id"]!;
                t.DisconnectedId = (string)created["connection"]!["id"]!;
                for (var r = 0; r < 3; r++)
                {
                    await CallAsync(t.Agency, $"/api/accounts/{t.DisconnectedClientId}/reports", new { name = $"{t.Tag}-created-report-{r}" }, HttpStatusCode.Created);
                }
            }
        }

        if (t.DisconnectedId is not null)
        {
            await CallAsync(t.Agency, $"/api/connections/{t.DisconnectedId}/disconnect", null, HttpStatusCode.Accepted);
        }
    }

    /// <summary>A POST as a careful client sends it: with a key, and again with the same key after a 5xx (three tries).</summary>
    private async Task<JsonObject?> CallAsync(HttpClient client, string url, object? body, HttpStatusCode expected)
    {
        var key = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _requests);
            using var response = await client.SendJsonAsync(HttpMethod.Post, url, body, idempotencyKey: key);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode >= 500 && attempt < 3)
            {
                continue;
            }

            if (response.StatusCode == expected)
            {
                return JsonNode.Parse(text) as JsonObject;
            }

            if ((int)response.StatusCode >= 500)
            {
                Interlocked.Increment(ref _fiveHundreds);
            }
            else if (response.StatusCode == HttpStatusCode.Conflict)
            {
                Interlocked.Increment(ref _wrongConflicts);
            }

            _wrong.Add($"POST {url}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
            return null;
        }
    }

    private async Task<(int Lost, int Duplicated)> CountEffectsAsync(List<Tenant> tenants)
    {
        var (lost, duplicated) = (0, 0);
        void Count(int found, string what, int expected = 1)
        {
            if (found < expected)
            {
                lost++;
                _wrong.Add($"lost: {what} ({found} of {expected})");
            }
            else if (found > expected)
            {
                duplicated++;
                _wrong.Add($"duplicated: {what} ({found} for {expected})");
            }
        }

        foreach (var t in tenants)
        {
            var reports = (await t.Client.GetAsync($"/api/accounts/{t.ClientId}/reports?pageSize=100").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
            for (var i = 0; i < ReportsPerTenant; i++)
            {
                Count(reports.Count(r => (string?)r!["name"] == $"{t.Tag}-report-{i}"), $"report {t.Tag}-report-{i}");
            }

            var connections = (await t.Agency.GetAsync($"/api/accounts/{t.AgencyId}/connections?pageSize=100").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
            Count(connections.Count(c => (string?)c!["clientAccountId"] == t.ClientId && (string?)c["state"] == "active"), $"active connection {t.Tag}");
            // The one requested and accepted, and the created clients that were not disconnected.
            Count(connections.Count(c => (string?)c!["state"] == "active"), $"active connections of {t.Tag}", expected: ClientsPerTenant);
            foreach (var email in t.ClientEmails)
            {
                Count(api.MailTo(email).Count, $"invitation e-mail to {email}");
            }

            if (t.DisconnectedId is not null)
            {
                var state = (string?)(await t.Agency.GetAsync($"/api/connections/{t.DisconnectedId}").ExpectAsync(HttpStatusCode.OK))["state"];
                Count(state == "disconnected" ? 1 : 0, $"disconnection of {t.DisconnectedId} (is {state})");
                var rows = await api.ReportRowsAsync(t.DisconnectedClientId!);
                Count(rows.Count == 3 && rows.All(r => r.GetBoolean("Archived") == true) ? 1 : 0, $"archived reports of {t.DisconnectedClientId}");
            }
        }

        return (lost, duplicated);
    }
}
