using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectedAccounts.Functions.Activity;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Sqlite;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>
/// The effects of queue and timer functions, invoked on the published worker the way the Functions host invokes
/// them. State changes go through the forwarded <c>/api</c> routes; the test then plays the host's queue trigger on
/// the store the worker uses (its SQLite data folder): it receives the message the outbox relay queued, invokes the
/// function with its text and dequeue count, and deletes it only after the invocation succeeded. Timers are invoked
/// with their schedule status. Effects are read back through the API, the data folder and the e-mail pickup folder.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class PublishedWorkerEffectsTests(PublishedWorkerFixture handler) : IAsyncLifetime
{
    private static readonly TimeSpan RelayTimeout = TimeSpan.FromSeconds(20);

    private readonly SqliteTableServiceClient _tables = new(new StorageOptions { DataPath = handler.DataPath }.SqlitePath);
    private readonly SqliteQueueServiceClient _queues = new(new StorageOptions { DataPath = handler.DataPath }.SqlitePath, TimeProvider.System);

    private ITableClient Entities => _tables.GetTableClient(Keys.DataTable);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _queues.DisposeAsync();
        await _tables.DisposeAsync();
    }

    [Fact]
    public async Task The_projection_a_forwarded_request_queued_fills_the_account_switcher_when_the_host_invokes_Projections()
    {
        var alice = handler.ClientFor(NewEmail("alice"), "Alice");
        var accountId = await CreateAgencyAsync(alice, "Projected Agency");

        // The request applied its switcher row itself; as after a crash right after the commit, that row is lost,
        // and the queued copy of the change is what the Projections function must apply.
        var message = await WaitForMessageAsync(ProjectionMessage.QueueName, accountId);
        var members = await alice.GetFromJsonAsync<JsonObject>($"/api/accounts/{accountId}/members");
        var userId = (string)members!["items"]![0]!["userId"]!;
        var users = _tables.GetTableClient(Keys.UsersTable);
        var row = await users.GetEntityIfExistsAsync(Keys.UserPartition(userId), Keys.UserMembership(accountId));
        Assert.True((await users.DeleteEntityAsync(row!.PartitionKey, row.RowKey, row.ETag)).Succeeded);
        Assert.DoesNotContain(accountId, await SwitcherAsync(alice));

        var first = await handler.Host.InvokeQueueAsync("Projections", message.Text, dequeueCount: 1);
        var afterFirst = await SwitcherAsync(alice);

        // A redelivery (the host retries a message it could not complete) changes nothing.
        var second = await handler.Host.InvokeQueueAsync("Projections", message.Text, dequeueCount: 2);
        await CompleteAsync(ProjectionMessage.QueueName, message);

        Assert.True(first.Succeeded, first.ExceptionMessage);
        Assert.Contains(accountId, afterFirst);
        Assert.True(second.Succeeded, second.ExceptionMessage);
        Assert.Equal(afterFirst, await SwitcherAsync(alice));
    }

    [Fact]
    public async Task An_outbox_row_a_crash_left_behind_is_relayed_by_OutboxSweep_and_its_e_mail_written_by_EmailSender()
    {
        var alice = handler.ClientFor(NewEmail("alice"), "Alice");
        var accountId = await CreateAgencyAsync(alice, "Swept Agency");
        await DrainOutboxOfAsync(accountId);

        // As a crash right after a commit leaves it: the e-mail's outbox row and the partition's pending marker are
        // written, and no relay ever ran for them.
        var invitee = NewEmail("invitee");
        var key = "host-tests." + Guid.NewGuid().ToString("N");
        var email = new MemberInvitedEmail(new EmailAddress(invitee, "Invitee"), key, "Swept Agency", "Alice", "regularUser",
            new Uri("http://localhost:5080/invitations/host-tests"), DateTimeOffset.UtcNow.AddDays(7));
        using (var relayThatNeverRuns = new OutboxRelay(_tables, _queues, NullLogger<OutboxRelay>.Instance))
        {
            var committed = await new DataStore(_tables, relayThatNeverRuns, TimeProvider.System, new ActivityDays()).Batch(accountId)
                .Outbox(new OutboxEntry(EmailQueue.Name, EmailQueue.ToMessageText(email)))
                .CommitAsync(CancellationToken.None);
            Assert.True(committed.Succeeded);
        }

        Assert.Equal(1, await OutboxRowsAsync(accountId));
        var sweep = await handler.Host.InvokeTimerAsync("OutboxSweep");

        Assert.True(sweep.Succeeded, sweep.ExceptionMessage);
        Assert.Equal(0, await OutboxRowsAsync(accountId));
        var queued = await WaitForMessageAsync(EmailQueue.Name, key);
        var mail = Path.Combine(handler.DataPath, "mail", PickupFolderEmailSender.FileNameFor(key));
        Assert.False(File.Exists(mail));

        var send = await handler.Host.InvokeQueueAsync("EmailSender", queued.Text);
        await CompleteAsync(EmailQueue.Name, queued);

        Assert.True(send.Succeeded, send.ExceptionMessage);
        Assert.True(File.Exists(mail), "EmailSender succeeded but wrote no pickup file for the message.");
        var eml = await File.ReadAllTextAsync(mail);
        Assert.Contains($"<{invitee}>", eml, StringComparison.Ordinal);
        Assert.Contains("MIME", eml, StringComparison.Ordinal);
    }

    /// <summary>Every test owns its people: a fresh address each time.</summary>
    private static string NewEmail(string name) => $"{name}.{Guid.NewGuid():N}@host-tests.example";

    private static async Task<string> CreateAgencyAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/api/accounts", new { name, kind = "agency" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/accounts: {(int)response.StatusCode} {body}");
        return (string)JsonNode.Parse(body)!["id"]!;
    }

    /// <summary>The ids in the caller's account switcher (<c>GET /api/accounts</c>).</summary>
    private static async Task<List<string>> SwitcherAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JsonObject>("/api/accounts");
        return page!["items"]!.AsArray().Select(e => (string)e!["id"]!).ToList();
    }

    /// <summary>
    /// Receives from <paramref name="queue"/> until a message containing <paramref name="marker"/> arrives (the relay
    /// sends right after the commit, in the background). Other tests' messages are put back at once.
    /// </summary>
    private async Task<QueueMessage> WaitForMessageAsync(string queue, string marker)
    {
        var client = _queues.GetQueueClient(queue);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            foreach (var message in await client.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1)))
            {
                if (message.Text.Contains(marker, StringComparison.Ordinal))
                {
                    return message;
                }

                await client.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, TimeSpan.Zero);
            }

            Assert.True(waited.Elapsed < RelayTimeout, $"No message with '{marker}' reached queue '{queue}' in {RelayTimeout.TotalSeconds} s.\n{handler.Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>The host deletes a message once its function succeeded.</summary>
    private async Task CompleteAsync(string queue, QueueMessage message) =>
        Assert.True(await _queues.GetQueueClient(queue).DeleteMessageAsync(message.MessageId, message.PopReceipt));

    /// <summary>Waits until the relay has sent what the account's own creation put in its outbox.</summary>
    private async Task DrainOutboxOfAsync(string accountId)
    {
        var waited = Stopwatch.StartNew();
        while (await OutboxRowsAsync(accountId) > 0)
        {
            Assert.True(waited.Elapsed < RelayTimeout, $"The relay left the outbox of {accountId} unsent.");
            await Task.Delay(50);
        }
    }

    private async Task<int> OutboxRowsAsync(string accountId)
    {
        var rows = 0;
        await foreach (var _ in Entities.QueryAllAsync(new TableQuery { PartitionKey = accountId, RowKeyPrefix = Keys.OutboxPrefix }))
        {
            rows++;
        }

        return rows;
    }
}
