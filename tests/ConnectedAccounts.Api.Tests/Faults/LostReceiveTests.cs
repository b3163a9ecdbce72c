using System.Diagnostics;
using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Email;
using global::Azure.Core;
using Xunit.Abstractions;

namespace ConnectedAccounts.Api.Tests.Faults;

/// <summary>
/// A receive whose answer was lost: the store hid the messages it handed out, and the poller never saw them. They come
/// back when the lease runs out, so the lease, not the longest handler, decides how late they are.
/// </summary>
[Collection(SharedAzuriteQueuesCollection.Name)]
public sealed class LostReceiveTests(FaultyStoragePollingApiFactory api, ITestOutputHelper output) : IClassFixture<FaultyStoragePollingApiFactory>
{
    [Fact]
    public async Task An_email_whose_receive_answer_was_lost_is_sent_once_the_short_lease_runs_out()
    {
        var alice = api.ClientFor(TestUser.New("alice"));
        var agencyId = await alice.CreateAccountAsync("agency");
        var owner = $"owner.{Guid.NewGuid():N}@bikes.test";
        api.Faults.LoseAnswer(m =>
            m.Request.Method == RequestMethod.Get && m.Request.Uri.Path.EndsWith($"/{EmailQueue.Name}/messages", StringComparison.Ordinal) &&
            m.Response.Status == 200 && m.Response.Content.ToString().Contains("<QueueMessage>", StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();

        await alice.PostJsonAsync($"/api/accounts/{agencyId}/clients", new { name = "Bikes", email = owner }).ExpectAsync(HttpStatusCode.Created);
        await TestApi.EventuallyAsync(() => Task.FromResult(api.MailTo(owner).Count > 0), "the invitation e-mail", timeoutMs: 30_000);

        output.WriteLine($"e-mail written {clock.Elapsed.TotalSeconds:F1} s after the request, lease {FaultyStoragePollingApiFactory.Lease.TotalSeconds} s");
        Assert.Equal(1, api.Faults.Injected.GetValueOrDefault(Storage.Tests.Azure.StorageFaults.Kind.DroppedAfter));
        Assert.Single(api.MailTo(owner));
    }
}
