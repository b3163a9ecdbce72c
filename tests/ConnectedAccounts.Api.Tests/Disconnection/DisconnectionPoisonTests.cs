using System.Net;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Api.Tests.Disconnection;

public sealed class DisconnectionPoisonTests(ManualQueuesApiFactory factory) : IClassFixture<ManualQueuesApiFactory>
{
    private static readonly string PoisonQueue = QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName);

    private IServiceProvider Services => factory.Services;

    private IQueueClient Queue(string name) => Services.GetRequiredService<IQueueServiceClient>().GetQueueClient(name);

    [Fact]
    public async Task A_step_that_keeps_failing_ends_in_the_poison_queue_and_the_connection_says_so()
    {
        var (alice, carol, clientId, connectionId) = await DisconnectAsync();

        // A persistent fault: the stored plan is gone, so every delivery of the message fails.
        var data = Services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.DataTable);
        Assert.True((await data.DeleteEntityAsync(clientId, DisconnectionPlan.RowKey(connectionId), ETag.Any)).Succeeded);
        await Services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);

        // The standalone poller's own processing, one delivery at a time, until the message is poisoned.
        var queue = Queue(DisconnectionRequested.QueueName);
        var outcomes = new List<QueueMessageOutcome>();
        while (!outcomes.Contains(QueueMessageOutcome.Poisoned))
        {
            Assert.True(outcomes.Count < 10, "The message was not poisoned after 10 deliveries.");
            foreach (var message in await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)))
            {
                outcomes.Add(await ProcessAsync(DisconnectionRequested.QueueName, message));
            }

            await Task.Delay(150);
        }

        Assert.Equal([.. Enumerable.Repeat(QueueMessageOutcome.Retried, 4), QueueMessageOutcome.Poisoned], outcomes);
        Assert.Equal(1, await Queue(PoisonQueue).GetApproximateMessageCountAsync());
        var connection = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnecting", (string?)connection["state"]);
        Assert.Contains("InvalidDataException", (string?)connection["disconnectFailure"], StringComparison.Ordinal);
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        // The poisoned message reaches DisconnectionGivenUp, which keeps the reason the last delivery recorded.
        Assert.Equal(QueueMessageOutcome.Completed, await ProcessGivenUpAsync());
        var after = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("InvalidDataException", (string?)after["disconnectFailure"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disconnection_cut_short_on_every_delivery_is_given_up_and_the_connection_says_so()
    {
        var (alice, carol, clientId, connectionId) = await DisconnectAsync();

        // Every delivery is taken and never finished, as when the process dies mid-step; the next one is poisoned
        // without running, as the Functions host does past maxDequeueCount.
        var queue = Queue(DisconnectionRequested.QueueName);
        var maxDequeueCount = Services.GetRequiredService<IOptions<QueueRunnerOptions>>().Value.MaxDequeueCount;
        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
        {
            var taken = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.Zero));
            Assert.Equal(delivery, taken.DequeueCount);
        }

        var last = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(QueueMessageOutcome.Poisoned, await ProcessAsync(DisconnectionRequested.QueueName, last));
        var stuck = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Null((string?)stuck["disconnectFailure"]);

        Assert.Equal(QueueMessageOutcome.Completed, await ProcessGivenUpAsync());

        var connection = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnecting", (string?)connection["state"]);
        Assert.Equal(DisconnectionWorker.GivenUp, (string?)connection["disconnectFailure"]);
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    /// <summary>
    /// An agency and a client, connected and then disconnected, once the relay has queued the disconnection message.
    /// The relay queues it right after the commit; a sweep while it runs could queue a second copy (allowed: delivery
    /// is at least once), which the tests' counts of deliveries must not see, so this waits for the relay first.
    /// </summary>
    private async Task<(HttpClient Alice, HttpClient Carol, string ClientId, string ConnectionId)> DisconnectAsync()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        var data = Services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.DataTable);
        await TestApi.EventuallyAsync(
            async () => !await data.QueryAllAsync(new TableQuery { PartitionKey = clientId, RowKeyPrefix = Keys.OutboxPrefix }).AnyAsync(),
            "the outbox relayed");
        return (alice, carol, clientId, connectionId);
    }

    /// <summary>The standalone runner's processing of one delivery by the function of <paramref name="queueName"/>.</summary>
    private Task<QueueMessageOutcome> ProcessAsync(string queueName, QueueMessage message) =>
        Services.GetRequiredService<QueueMessageProcessor>().ProcessAsync(
            Services.GetRequiredService<FunctionCatalog>().Queues.Single(q => q.QueueName == queueName),
            Queue(queueName),
            Queue(QueueMessageProcessor.PoisonQueueName(queueName)),
            message,
            CancellationToken.None);

    /// <summary>Runs the DisconnectionGivenUp function on the one message in the disconnection poison queue.</summary>
    private async Task<QueueMessageOutcome> ProcessGivenUpAsync() =>
        await ProcessAsync(PoisonQueue, Assert.Single(await Queue(PoisonQueue).ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))));
}
