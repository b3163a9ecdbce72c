using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests;

/// <summary>
/// How many storage requests each call costs, counted by <see cref="StorageRequestCounter"/> in the request's own
/// async flow (background work is not counted). The design's floor: a point read of the account row to authorise
/// (plus the agency's row for an agency user), one query to list, and one batch per state change — plus the
/// outbox marker write that lets the sweep find a partition after a crash, and a read and a write for each index
/// row (switcher entry, agency copy) the change updates before it answers, so its author reads their own write.
/// The same counts hold on SQLite (one statement or transaction is one request) and on Azure Storage (one HTTP
/// request, counted by a pipeline policy on the SDK clients).
/// </summary>
public abstract class StorageCostScenarios(ApiFactory factory)
{
    /// <summary>The request runs in the test's execution context, so the counter's scope sees its storage calls.</summary>
    public static void CountInTheTestsFlow(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(s => s.Configure<TestServerOptions>(o => o.PreserveExecutionContext = true));

    private static async Task<long> CountAsync(Func<Task<HttpResponseMessage>> call, HttpStatusCode expected)
    {
        using var scope = StorageRequestCounter.BeginScope();
        var response = await call();
        Assert.Equal(expected, response.StatusCode);
        return scope.Count;
    }

    [Fact]
    public async Task An_agency_user_listing_client_reports_costs_two_point_reads_and_one_query()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, _) = await TestApi.ConnectAsync(alice, carol);
        await carol.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(3, await CountAsync(() => alice.GetAsync($"/api/accounts/{clientId}/reports"), HttpStatusCode.OK));
        Assert.Equal(2, await CountAsync(() => carol.GetAsync($"/api/accounts/{clientId}/reports"), HttpStatusCode.OK));
        Assert.Equal(2, await CountAsync(() => alice.GetAsync($"/api/accounts/{clientId}/permissions"), HttpStatusCode.OK));
        Assert.Equal(1, await CountAsync(() => carol.GetAsync($"/api/accounts/{clientId}"), HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_state_change_costs_its_reads_one_outbox_marker_one_batch_and_its_index_rows()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        await alice.GetAsync("/api/accounts");
        await carol.GetAsync("/api/accounts");

        // Marker, batch, and the creator's switcher entry (read, write); and the activity sweep's day row, which a
        // partition's first entry of the day writes (this process then remembers it: the later changes below pay none).
        Assert.Equal(5, await CountAsync(() => alice.PostJsonAsync("/api/accounts", new { name = "Agency", kind = "agency" }), HttpStatusCode.Created));
        var agencyId = await alice.CreateAccountAsync("agency");
        var clientId = await carol.CreateAccountAsync("client");
        string connectionId = "";
        // Two account reads, marker, batch, and the agency's copy of the connection (read, write).
        Assert.Equal(6, await CountAsync(async () =>
        {
            var response = await alice.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId });
            connectionId = (string)(await response.ReadJsonAsync())["id"]!;
            return response;
        }, HttpStatusCode.Created));
        // Connection and two account reads, marker, batch, and the agency's copy (read, write).
        Assert.Equal(7, await CountAsync(() => carol.PostAsync($"/api/connections/{connectionId}/accept", null), HttpStatusCode.OK));
        Assert.Equal(3, await CountAsync(() => alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = "Q4" }), HttpStatusCode.Created));
    }

    [Fact]
    public async Task A_stranger_is_refused_after_one_point_read()
    {
        var carol = factory.ClientFor(TestUser.New("carol"));
        var mallory = factory.ClientFor(TestUser.New("mallory"));
        var clientId = await carol.CreateAccountAsync("client");
        await mallory.GetAsync("/api/accounts");

        Assert.Equal(1, await CountAsync(() => mallory.GetAsync($"/api/accounts/{clientId}/reports"), HttpStatusCode.NotFound));
    }
}

public sealed class StorageCostTests(StorageCostTests.CountingFactory factory) : StorageCostScenarios(factory), IClassFixture<StorageCostTests.CountingFactory>
{
    public sealed class CountingFactory : ApiFactory
    {
        protected override bool RunBackgroundJobs => false;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            CountInTheTestsFlow(builder);
        }
    }
}

[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class StorageCostOnAzureStorageTests(StorageCostOnAzureStorageTests.CountingFactory factory)
    : StorageCostScenarios(factory), IClassFixture<StorageCostOnAzureStorageTests.CountingFactory>
{
    public sealed class CountingFactory : AzureStorageApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            CountInTheTestsFlow(builder);
        }
    }
}
