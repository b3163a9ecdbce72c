using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;

namespace ConnectedAccounts.Api.Tests.Disconnection;

/// <summary>The disconnection scenarios; run on the embedded SQLite store and on Azure Storage (Azurite).</summary>
public abstract class DisconnectionScenarios(ApiFactory factory)
{
    [Fact]
    public async Task Independent_client_keeps_its_data_and_the_shared_integration_pauses_only_for_it()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var dave = factory.ClientFor(TestUser.New("dave"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        var otherClientId = await dave.CreateAccountAsync("client");
        var second = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = otherClientId }).ExpectAsync(HttpStatusCode.Created);
        await dave.PostAsync($"/api/connections/{second["id"]}/accept", null).ExpectAsync(HttpStatusCode.OK);

        var shared = await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Ads feed", mappedClientAccountIds = new[] { clientId, otherClientId } }).ExpectAsync(HttpStatusCode.Created);
        var own = await carol.PostJsonAsync($"/api/accounts/{clientId}/integrations", new { name = "Client CRM", mappedClientAccountIds = new[] { clientId } }).ExpectAsync(HttpStatusCode.Created);
        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);

        var preview = await carol.GetAsync($"/api/connections/{connectionId}/disconnect-preview").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([(string)shared["id"]!], preview["integrationsToPause"]!.AsArray().Select(i => (string)i!["integrationId"]!));
        Assert.Empty(preview["reportsToArchive"]!.AsArray());
        Assert.False((bool)preview["organisationRemoved"]!);

        var accepted = await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("disconnecting", (string?)accepted["state"]);
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        await factory.DrainAsync();

        var connection = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnected", (string?)connection["state"]);
        var integration = await alice.GetAsync($"/api/accounts/{agencyId}/integrations/{shared["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("active", (string?)integration["state"]);
        Assert.Equal([clientId], integration["pausedFor"]!.AsArray().Select(c => (string)c!));
        var clientIntegration = await carol.GetAsync($"/api/accounts/{clientId}/integrations/{own["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(clientIntegration["pausedFor"]!.AsArray());
        var reports = await carol.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)reports["items"]![0]!["archived"]!);
        await dave.GetAsync($"/api/accounts/{otherClientId}/reports").ExpectAsync(HttpStatusCode.OK);
        await alice.GetAsync($"/api/accounts/{otherClientId}/reports").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task From_the_202_on_every_report_of_an_agency_created_client_reads_archived_before_the_worker_runs()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var (_, rita) = await factory.NewMemberAsync(agencyId, "regularUser");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        var reportIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            reportIds.Add((string)(await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = $"Report {i}" }).ExpectAsync(HttpStatusCode.Created))["id"]!);
        }

        await alice.PostAsync($"/api/connections/{(string)created["connection"]!["id"]!}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);

        // No drain: the archive job has not run, and nothing may still read live.
        foreach (var user in new[] { alice, rita })
        {
            Assert.Empty((await user.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray());
            var all = (await user.GetAsync($"/api/accounts/{clientId}/reports?includeArchived=true").ExpectAsync(HttpStatusCode.OK))["items"]!.AsArray();
            Assert.Equal(reportIds.Order(StringComparer.Ordinal), all.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
            Assert.All(all, r => Assert.True((bool)r!["archived"]! && r["archivedAt"] is not null));
            var one = await user.GetAsync($"/api/accounts/{clientId}/reports/{reportIds[0]}").ExpectAsync(HttpStatusCode.OK);
            Assert.True((bool)one["archived"]!);
            var csv = await (await user.GetAsync($"/api/accounts/{clientId}/reports/{reportIds[0]}/export")).Content.ReadAsStringAsync();
            Assert.Contains(",true,", csv);
        }

        await rita.PatchJsonAsync($"/api/accounts/{clientId}/reports/{reportIds[0]}", new { name = "late" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Agency_created_client_is_archived_its_reports_stay_readable_and_its_organisation_goes()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        var connectionId = (string)created["connection"]!["id"]!;
        for (var i = 0; i < 130; i++)
        {
            await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = $"Report {i}" }).ExpectAsync(HttpStatusCode.Created);
        }

        var item = await alice.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "Keyword" }).ExpectAsync(HttpStatusCode.Created);
        var feed = await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Feed", mappedClientAccountIds = new[] { clientId } }).ExpectAsync(HttpStatusCode.Created);

        var preview = await alice.GetAsync($"/api/connections/{connectionId}/disconnect-preview").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(130, preview["reportsToArchive"]!.AsArray().Count);
        Assert.True((bool)preview["organisationRemoved"]!);

        await alice.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);

        await alice.GetAsync($"/api/accounts/{clientId}/items/{item["id"]}").ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "late" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await alice.PostJsonAsync($"/api/accounts/{clientId}/items", new { name = "late" }).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        await factory.DrainAsync();

        var account = await alice.GetAsync($"/api/accounts/{clientId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("archived", (string?)account["status"]);
        var active = await alice.GetAsync($"/api/accounts/{clientId}/reports?pageSize=200").ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(active["items"]!.AsArray());
        var archived = await alice.GetAsync($"/api/accounts/{clientId}/reports?includeArchived=true&pageSize=200").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(130, archived["items"]!.AsArray().Count);
        Assert.All(archived["items"]!.AsArray(), r => Assert.True((bool)r!["archived"]!));
        var export = await alice.GetAsync($"/api/accounts/{clientId}/reports/{archived["items"]![0]!["id"]}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var integration = await alice.GetAsync($"/api/accounts/{agencyId}/integrations/{feed["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("paused", (string?)integration["state"]);
        var connection = await alice.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnected", (string?)connection["state"]);
        var mail = Directory.GetFiles(Path.Combine(factory.DataPath, "mail"), "*.eml").Select(File.ReadAllText).ToList();
        Assert.Single(mail, m => m.Contains(aliceUser.Email, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Every_message_handled_several_times_gives_the_same_final_state(int deliveries)
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        for (var i = 0; i < 20; i++)
        {
            await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = $"Report {i}" }).ExpectAsync(HttpStatusCode.Created);
        }

        var feed = await alice.PostJsonAsync($"/api/accounts/{agencyId}/integrations", new { name = "Feed", mappedClientAccountIds = new[] { clientId } }).ExpectAsync(HttpStatusCode.Created);
        await alice.PostAsync($"/api/connections/{created["connection"]!["id"]}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);

        await factory.DrainAsync(deliveries);

        var archived = await alice.GetAsync($"/api/accounts/{clientId}/reports?includeArchived=true").ExpectAsync(HttpStatusCode.OK);
        var archivedAt = archived["items"]!.AsArray().Select(r => (string?)r!["archivedAt"]).Distinct().ToList();
        Assert.Single(archivedAt);
        Assert.NotNull(archivedAt[0]);
        var integration = await alice.GetAsync($"/api/accounts/{agencyId}/integrations/{feed["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([clientId], integration["pausedFor"]!.AsArray().Select(c => (string)c!));
        var connection = await alice.GetAsync($"/api/connections/{created["connection"]!["id"]}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnected", (string?)connection["state"]);
    }

    [Fact]
    public async Task The_very_next_request_after_the_202_is_refused_for_every_agency_user_with_readers_in_flight()
    {
        var aliceUser = TestUser.New("alice");
        var alice = factory.ClientFor(aliceUser);
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (agencyId, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);

        for (var round = 0; round < 5; round++)
        {
            using var stop = new CancellationTokenSource();
            var disconnected = 0L;
            var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                var violations = 0;
                while (!stop.IsCancellationRequested)
                {
                    var before = Interlocked.Read(ref disconnected);
                    var response = await alice.GetAsync($"/api/accounts/{clientId}/reports");
                    if (before == 1 && response.StatusCode == HttpStatusCode.OK)
                    {
                        violations++;
                    }
                }

                return violations;
            })).ToArray();

            await Task.Delay(50);
            await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
            Interlocked.Exchange(ref disconnected, 1);
            await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
            await Task.Delay(100);
            await stop.CancelAsync();
            Assert.Equal(0, (await Task.WhenAll(readers)).Sum());

            await factory.DrainAsync();
            if (round < 4)
            {
                var again = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
                connectionId = (string)again["id"]!;
                await carol.PostAsync($"/api/connections/{connectionId}/accept", null).ExpectAsync(HttpStatusCode.OK);
                await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectAsync(HttpStatusCode.OK);
            }
        }
    }

    [Fact]
    public async Task Disconnect_needs_an_admin_or_manager_and_a_stranger_sees_404()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var mallory = factory.ClientFor(TestUser.New("mallory"));
        var (_, _, connectionId) = await TestApi.ConnectAsync(alice, carol);

        await mallory.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await mallory.GetAsync($"/api/connections/{connectionId}/disconnect-preview").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        var first = await alice.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        var second = await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("disconnecting", (string?)first["state"]);
        Assert.Equal("disconnecting", (string?)second["state"]);
    }
}

public sealed class DisconnectionTests(ManualQueuesApiFactory factory) : DisconnectionScenarios(factory), IClassFixture<ManualQueuesApiFactory>;

[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class DisconnectionOnAzureStorageTests(AzureStorageApiFactory factory) : DisconnectionScenarios(factory), IClassFixture<AzureStorageApiFactory>;
