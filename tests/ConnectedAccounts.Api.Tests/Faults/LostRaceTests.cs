using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Api.Tests.Faults;

/// <summary>
/// Races lost to another writer at the worst moment: the other writer changes a row just before our write of it is
/// sent, so the write meets a real conflict (not its own retried write).
/// </summary>
[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class LostRaceTests(FaultyStorageApiFactory api) : IClassFixture<FaultyStorageApiFactory>
{
    [Fact]
    public async Task An_archive_batch_that_meets_a_report_edited_on_the_first_page_reads_the_page_again_and_archives_every_report()
    {
        var alice = api.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var created = await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = $"owner.{Guid.NewGuid():N}@bikes.test" }).ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)created["account"]!["id"]!;
        await Parallel.ForEachAsync(Enumerable.Range(0, 110), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await alice.PostJsonAsync($"/api/accounts/{clientId}/reports", new { name = $"Report {i}" }).ExpectAsync(HttpStatusCode.Created));
        await api.DrainAsync();
        var first = (await api.ReportRowsAsync(clientId))[0];
        api.Faults.BeforeWrite(
            body => body.Contains("\"Archived\":true", StringComparison.Ordinal) && body.Contains(first.RowKey, StringComparison.Ordinal),
            () => api.OtherWriter.GetTableClient(Keys.DataTable)
                .UpdateEntityAsync(new TableEntity(clientId, first.RowKey) { ["EditedMeanwhile"] = true }, ETag.Any, TableUpdateMode.Merge)
                .GetAwaiter().GetResult());

        await alice.PostAsync($"/api/connections/{(string)created["connection"]!["id"]!}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        await api.DrainAsync();

        var rows = await api.ReportRowsAsync(clientId);
        Assert.True(rows.Single(r => r.RowKey == first.RowKey).GetBoolean("EditedMeanwhile"), "The other writer did not run.");
        Assert.Equal(110, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetBoolean("Archived") == true, $"{r.RowKey} is not archived"));
        var connection = await alice.GetAsync($"/api/connections/{(string)created["connection"]!["id"]!}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnected", (string)connection["state"]!);
    }

    [Fact]
    public async Task A_lost_race_is_not_kept_as_the_answer_of_its_idempotency_key()
    {
        var agencyAdmin = api.ClientFor(TestUser.New("agency-admin"));
        var clientAdmin = api.ClientFor(TestUser.New("client-admin"));
        var agencyId = await agencyAdmin.CreateAccountAsync("agency");
        var clientId = await clientAdmin.CreateAccountAsync("client");
        var requested = await agencyAdmin.PostJsonAsync($"/api/accounts/{agencyId}/connections", new { targetAccountId = clientId }).ExpectAsync(HttpStatusCode.Created);
        var connectionId = (string)requested["id"]!;
        api.Faults.BeforeWrite(
            body => body.Contains(Keys.ClientConnection(connectionId), StringComparison.Ordinal),
            () => api.OtherWriter.GetTableClient(Keys.DataTable)
                .UpdateEntityAsync(new TableEntity(clientId, Keys.ClientConnection(connectionId)) { ["EditedMeanwhile"] = true }, ETag.Any, TableUpdateMode.Merge)
                .GetAwaiter().GetResult());

        await clientAdmin.SendJsonAsync(HttpMethod.Post, $"/api/connections/{connectionId}/accept", idempotencyKey: "accept-1")
            .ExpectProblemAsync(HttpStatusCode.Conflict, "concurrent-update");
        using var again = await clientAdmin.SendJsonAsync(HttpMethod.Post, $"/api/connections/{connectionId}/accept", idempotencyKey: "accept-1");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("active", (string)(await again.ReadJsonAsync())["state"]!);
    }
}
