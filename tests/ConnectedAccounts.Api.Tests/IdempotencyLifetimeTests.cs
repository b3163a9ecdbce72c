using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests;

/// <summary>How long an Idempotency-Key holds: its retention, and a first request that never finished.</summary>
public sealed class IdempotencyLifetimeTests(ClockedApiFactory factory) : IClassFixture<ClockedApiFactory>
{
    [Fact]
    public async Task A_key_replays_until_its_retention_ends_and_then_runs_anew()
    {
        var (alice, reports) = await ClientAccountAsync();
        var key = Guid.NewGuid().ToString("N");
        var first = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Daily" }, idempotencyKey: key);

        factory.Clock.Advance(IdempotencyMiddleware.Retention - TimeSpan.FromMinutes(1));
        var replay = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Daily" }, idempotencyKey: key);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var anew = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Daily" }, idempotencyKey: key);
        var replayOfAnew = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Daily" }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(HttpStatusCode.Created, anew.StatusCode);
        Assert.False(anew.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(first.Headers.Location, anew.Headers.Location);
        Assert.Equal(anew.Headers.Location, replayOfAnew.Headers.Location);
        Assert.Equal(2, (await alice.GetJsonAsync(reports))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_first_request_that_never_finished_holds_its_key_until_it_counts_as_abandoned()
    {
        var (alice, reports) = await ClientAccountAsync();
        var key = Guid.NewGuid().ToString("N");
        await LeavePendingClaimAsync(key);

        await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Retried" }, idempotencyKey: key)
            .ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-in-progress");
        Assert.Empty((await alice.GetJsonAsync(reports))["items"]!.AsArray());

        factory.Clock.Advance(IdempotencyMiddleware.AbandonedAfter);
        var retried = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Retried" }, idempotencyKey: key);
        var replay = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Retried" }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(retried.Headers.Location, replay.Headers.Location);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await alice.GetJsonAsync(reports))["items"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_retries_of_an_abandoned_key_run_it_once()
    {
        var (alice, reports) = await ClientAccountAsync();
        var key = Guid.NewGuid().ToString("N");
        await LeavePendingClaimAsync(key);
        factory.Clock.Advance(IdempotencyMiddleware.AbandonedAfter);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Once" }, idempotencyKey: key)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains("Idempotent-Replayed"));
        Assert.Single((await alice.GetJsonAsync(reports))["items"]!.AsArray());
    }

    [Fact]
    public async Task The_sweep_deletes_records_past_their_retention_and_keeps_younger_and_renewed_ones()
    {
        var (alice, reports) = await ClientAccountAsync();
        string old = Guid.NewGuid().ToString("N"), young = Guid.NewGuid().ToString("N"), renewed = Guid.NewGuid().ToString("N");
        await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Old" }, idempotencyKey: old).ExpectAsync(HttpStatusCode.Created);
        await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Renewed" }, idempotencyKey: renewed).ExpectAsync(HttpStatusCode.Created);
        factory.Clock.Advance(IdempotencyMiddleware.Retention / 2);
        await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Young" }, idempotencyKey: young).ExpectAsync(HttpStatusCode.Created);
        factory.Clock.Advance(IdempotencyMiddleware.Retention / 2);
        var again = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Renewed" }, idempotencyKey: renewed);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        factory.Clock.Advance(TimeSpan.FromMinutes(1));

        using var scope = factory.Services.CreateScope();
        var deleted = await scope.ServiceProvider.GetRequiredService<IdempotencySweep>().RunAsync(CancellationToken.None);

        Assert.True(deleted >= 1);
        Assert.Null(await RecordAsync(old));
        Assert.NotNull(await RecordAsync(young));
        Assert.NotNull(await RecordAsync(renewed));
        var replay = await alice.SendJsonAsync(HttpMethod.Post, reports, new { name = "Renewed" }, idempotencyKey: renewed);
        Assert.Equal(again.Headers.Location, replay.Headers.Location);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
    }

    private readonly TestUser _alice = TestUser.New("alice");

    private async Task<(HttpClient Client, string Reports)> ClientAccountAsync()
    {
        var alice = factory.Signed(_alice);
        var id = await alice.CreateAccountAsync("client");
        return (alice, $"/api/accounts/{id}/reports");
    }

    private Task<TableEntity?> RecordAsync(string key) =>
        IdempotencyTable().GetEntityIfExistsAsync(Keys.UserPartition(_alice.Id), key);

    private ITableClient IdempotencyTable() =>
        factory.Services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.IdempotencyTable);

    /// <summary>What a process killed in the middle of a request leaves behind: its claim on the key, still pending.</summary>
    private async Task LeavePendingClaimAsync(string key)
    {
        var claim = await IdempotencyTable().AddEntityAsync(new TableEntity(Keys.UserPartition(_alice.Id), key)
        {
            ["State"] = "pending",
            ["Target"] = "/api/elsewhere",
            ["Fingerprint"] = "",
            ["Created"] = factory.Clock.GetUtcNow(),
        });
        Assert.True(claim.Succeeded);
    }
}
