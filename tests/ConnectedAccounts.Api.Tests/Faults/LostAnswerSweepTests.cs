using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Storage.Tests.Azure;

namespace ConnectedAccounts.Api.Tests.Faults;

/// <summary>
/// Each flow runs once cleanly to count its storage writes (the request and everything its queues do), then once per
/// k with the answer of the k-th write lost after the store applied it. For every k the caller gets the right answer
/// (retrying a 5xx with the same Idempotency-Key, as a client would), and once the service settled the effect exists
/// exactly once and nothing is half done. Expected values are the contract's: the status codes of API.md and the
/// effects the flow exists for.
/// </summary>
[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class LostAnswerSweepTests(FaultyStorageApiFactory api) : IClassFixture<FaultyStorageApiFactory>
{
    [Fact]
    public Task Creating_a_report_with_an_idempotency_key() => SweepAsync(
        NewClientAccountAsync,
        async flow =>
        {
            var created = await RetryingAsync(() => flow.Owner.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{flow.AccountId}/reports", new { name = flow.Name }, idempotencyKey: flow.Name), HttpStatusCode.Created);
            flow.Ids.Add((string)created["id"]!);
        },
        async flow =>
        {
            Assert.Equal([flow.Ids.Single()], await ReportIdsNamedAsync(flow));
            using var replay = await flow.Owner.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{flow.AccountId}/reports", new { name = flow.Name }, idempotencyKey: flow.Name);
            Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
            Assert.Equal(flow.Ids.Single(), (string)(await replay.ReadJsonAsync())["id"]!);
        });

    [Fact]
    public Task Creating_a_report_without_an_idempotency_key() => SweepAsync(
        NewClientAccountAsync,
        async flow =>
        {
            var created = await flow.Owner.PostJsonAsync($"/api/accounts/{flow.AccountId}/reports", new { name = flow.Name }).ExpectAsync(HttpStatusCode.Created);
            flow.Ids.Add((string)created["id"]!);
        },
        async flow => Assert.Equal([flow.Ids.Single()], await ReportIdsNamedAsync(flow)));

    [Fact]
    public Task Creating_a_client_account() => SweepAsync(
        NewAgencyAsync,
        async flow => await RetryingAsync(() => flow.Owner.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{flow.AccountId}/clients", new { name = flow.Name, email = flow.Email }, idempotencyKey: flow.Name), HttpStatusCode.Created),
        async flow =>
        {
            var connections = (await flow.Owner.GetAsync($"/api/accounts/{flow.AccountId}/connections").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
            Assert.Equal("active", (string)Assert.Single(connections)!["state"]!);
            Assert.Single(api.MailTo(flow.Email));
        });

    [Fact]
    public Task Accepting_a_connection() => SweepAsync(
        async () =>
        {
            var flow = await NewAgencyAsync();
            var clientAdmin = api.ClientFor(TestUser.New("client-admin"));
            var clientId = await clientAdmin.CreateAccountAsync("client");
            var requested = await flow.Owner.PostJsonAsync($"/api/accounts/{flow.AccountId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
            flow.Ids.Add((string)requested["id"]!);
            flow.Other = clientAdmin;
            return flow;
        },
        async flow => await RetryingAsync(() => flow.Other!.SendJsonAsync(HttpMethod.Post, $"/api/connections/{flow.Ids[0]}/accept", idempotencyKey: flow.Name), HttpStatusCode.OK),
        async flow =>
        {
            Assert.Equal("active", (string)(await flow.Owner.GetAsync($"/api/connections/{flow.Ids[0]}").ExpectAsync(HttpStatusCode.OK))["state"]!);
            var listed = (await flow.Owner.GetAsync($"/api/accounts/{flow.AccountId}/connections").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
            Assert.Equal(flow.Ids[0], (string)Assert.Single(listed)!["id"]!);
        });

    [Fact]
    public Task Disconnecting_an_agency_created_client_with_more_than_one_batch_of_reports() => SweepAsync(
        async () =>
        {
            var flow = await NewAgencyAsync();
            var created = await flow.Owner.PostJsonAsync($"/api/accounts/{flow.AccountId}/clients", new { name = flow.Name, email = flow.Email }).ExpectAsync(HttpStatusCode.Created);
            flow.ClientId = (string)created["account"]!["id"]!;
            flow.Ids.Add((string)created["connection"]!["id"]!);
            var reports = Enumerable.Range(0, ReportCount);
            await Parallel.ForEachAsync(reports, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                await flow.Owner.PostJsonAsync($"/api/accounts/{flow.ClientId}/reports", new { name = $"Report {i}" }).ExpectAsync(HttpStatusCode.Created));
            await api.DrainAsync();
            return flow;
        },
        async flow => await RetryingAsync(() => flow.Owner.SendJsonAsync(HttpMethod.Post, $"/api/connections/{flow.Ids[0]}/disconnect", idempotencyKey: flow.Name), HttpStatusCode.Accepted),
        async flow =>
        {
            Assert.Equal("disconnected", (string)(await flow.Owner.GetAsync($"/api/connections/{flow.Ids[0]}").ExpectAsync(HttpStatusCode.OK))["state"]!);
            var rows = await api.ReportRowsAsync(flow.ClientId!);
            Assert.Equal(ReportCount, rows.Count);
            Assert.All(rows, r => Assert.True(r.GetBoolean("Archived") == true, $"{r.RowKey} is not archived"));
            Assert.Single(api.MailTo(flow.OwnerUser.Email), m => m.Contains("are no longer connected", StringComparison.Ordinal));
        });

    /// <summary>More than one archive batch (a batch holds 100 rows: 98 reports beside their activity entry's two).</summary>
    private const int ReportCount = 110;

    private sealed class Flow(TestUser ownerUser, HttpClient owner, string accountId)
    {
        public TestUser OwnerUser { get; } = ownerUser;

        public HttpClient Owner { get; } = owner;

        public string AccountId { get; } = accountId;

        public string Name { get; } = "f" + Guid.NewGuid().ToString("N")[..12];

        public string Email { get; } = $"owner.{Guid.NewGuid():N}@faults.test";

        public List<string> Ids { get; } = [];

        public HttpClient? Other { get; set; }

        public string? ClientId { get; set; }
    }

    private Task<Flow> NewClientAccountAsync() => NewAccountAsync("client");

    private Task<Flow> NewAgencyAsync() => NewAccountAsync("agency");

    private async Task<Flow> NewAccountAsync(string kind)
    {
        var user = TestUser.New(kind + "-admin");
        var client = api.ClientFor(user);
        return new Flow(user, client, await client.CreateAccountAsync(kind));
    }

    private async Task SweepAsync(Func<Task<Flow>> arrange, Func<Flow, Task> act, Func<Flow, Task> check)
    {
        // Two clean runs, the fewer writes counted: the first drain may also handle messages another class left on
        // the run's shared queues, which are not this flow's writes.
        var writes = int.MaxValue;
        for (var run = 0; run < 2; run++)
        {
            var clean = await arrange();
            api.Faults.CountOnly();
            await act(clean);
            await api.DrainAsync();
            writes = Math.Min(writes, api.Faults.Writes);
            api.Faults.Off();
            await check(clean);
        }

        Assert.True(writes > 0);

        // The relay that runs on commit and the drain's sweep race for the same outbox rows, so a flow's write count
        // varies by a few; a k beyond this run's writes loses nothing and is counted, not failed.
        var failures = new List<string>();
        var unreached = 0;
        for (var k = 1; k <= writes; k++)
        {
            var flow = await arrange();
            api.Faults.LoseWrite(k);
            try
            {
                await act(flow);
                await api.DrainAsync();
                unreached += api.Faults.Injected.GetValueOrDefault(StorageFaults.Kind.DroppedAfter) == 1 ? 0 : 1;
            }
            catch (Exception e)
            {
                failures.Add($"k={k}: {e.Message}");
                continue;
            }
            finally
            {
                api.Faults.Off();
            }

            try
            {
                await api.DrainAsync();
                await check(flow);
            }
            catch (Exception e)
            {
                failures.Add($"k={k} after settling: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {writes} lost answers went wrong:\n{string.Join("\n", failures)}");
        Assert.True(unreached <= writes / 4, $"{unreached} of {writes} runs ended before their k-th write.");
    }

    /// <summary>A client's behaviour: a 5xx is tried again with the same request and key, at most twice.</summary>
    private static async Task<JsonObject> RetryingAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await send();
            if ((int)response.StatusCode < 500 || attempt == 2)
            {
                return await Task.FromResult(response).ExpectAsync(expected);
            }
        }
    }

    private async Task<List<string>> ReportIdsNamedAsync(Flow flow)
    {
        var reports = (await flow.Owner.GetAsync($"/api/accounts/{flow.AccountId}/reports").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
        return reports.Where(r => (string?)r!["name"] == flow.Name).Select(r => (string)r!["id"]!).ToList();
    }
}
