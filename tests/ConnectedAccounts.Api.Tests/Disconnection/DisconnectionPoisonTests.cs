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
    [Fact]
    public async Task A_step_that_keeps_failing_ends_in_the_poison_queue_and_the_connection_says_so()
    {
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);

        // A persistent fault: the stored plan is gone, so every delivery of the message fails.
        var services = factory.Services;
        var data = services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.DataTable);
        Assert.True((await data.DeleteEntityAsync(clientId, DisconnectionPlan.RowKey(connectionId), ETag.Any)).Succeeded);

        // The relay queues the message right after the commit. Sweeping while it runs could queue a second copy
        // (allowed: delivery is at least once), which this count of deliveries must not see; so wait for it first.
        await TestApi.EventuallyAsync(
            async () => !await data.QueryAllAsync(new TableQuery { PartitionKey = clientId, RowKeyPrefix = Keys.OutboxPrefix }).AnyAsync(),
            "the outbox relayed");
        await services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);

        // The standalone poller's own processing, one delivery at a time, until the message is poisoned.
        var queues = services.GetRequiredService<IQueueServiceClient>();
        var function = services.GetRequiredService<FunctionCatalog>().Queues.Single(q => q.QueueName == DisconnectionRequested.QueueName);
        var processor = services.GetRequiredService<QueueMessageProcessor>();
        var queue = queues.GetQueueClient(DisconnectionRequested.QueueName);
        var poison = queues.GetQueueClient(QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName));
        var outcomes = new List<QueueMessageOutcome>();
        while (!outcomes.Contains(QueueMessageOutcome.Poisoned))
        {
            Assert.True(outcomes.Count < 10, "The message was not poisoned after 10 deliveries.");
            foreach (var message in await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)))
            {
                outcomes.Add(await processor.ProcessAsync(function, queue, poison, message, CancellationToken.None));
            }

            await Task.Delay(150);
        }

        Assert.Equal([.. Enumerable.Repeat(QueueMessageOutcome.Retried, 4), QueueMessageOutcome.Poisoned], outcomes);
        Assert.Equal(1, await poison.GetApproximateMessageCountAsync());
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
        var alice = factory.ClientFor(TestUser.New("alice"));
        var carol = factory.ClientFor(TestUser.New("carol"));
        var (_, clientId, connectionId) = await TestApi.ConnectAsync(alice, carol);
        await carol.PostAsync($"/api/connections/{connectionId}/disconnect", null).ExpectAsync(HttpStatusCode.Accepted);
        var services = factory.Services;
        var data = services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.DataTable);
        await TestApi.EventuallyAsync(
            async () => !await data.QueryAllAsync(new TableQuery { PartitionKey = clientId, RowKeyPrefix = Keys.OutboxPrefix }).AnyAsync(),
            "the outbox relayed");

        // Every delivery is taken and never finished, as when the process dies mid-step; the next one is poisoned
        // without running, as the Functions host does past maxDequeueCount.
        var queues = services.GetRequiredService<IQueueServiceClient>();
        var queue = queues.GetQueueClient(DisconnectionRequested.QueueName);
        var maxDequeueCount = services.GetRequiredService<IOptions<QueueRunnerOptions>>().Value.MaxDequeueCount;
        for (var delivery = 1; delivery <= maxDequeueCount; delivery++)
        {
            var taken = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.Zero));
            Assert.Equal(delivery, taken.DequeueCount);
        }

        var function = services.GetRequiredService<FunctionCatalog>().Queues.Single(q => q.QueueName == DisconnectionRequested.QueueName);
        var last = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)));
        var poison = queues.GetQueueClient(QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName));
        Assert.Equal(QueueMessageOutcome.Poisoned, await services.GetRequiredService<QueueMessageProcessor>().ProcessAsync(function, queue, poison, last, CancellationToken.None));
        var stuck = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Null((string?)stuck["disconnectFailure"]);

        Assert.Equal(QueueMessageOutcome.Completed, await ProcessGivenUpAsync());

        var connection = await carol.GetAsync($"/api/connections/{connectionId}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("disconnecting", (string?)connection["state"]);
        Assert.Equal(DisconnectionWorker.GivenUp, (string?)connection["disconnectFailure"]);
        await alice.GetAsync($"/api/accounts/{clientId}/reports").ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    /// <summary>Runs the DisconnectionGivenUp function on the one message in the disconnection poison queue.</summary>
    private async Task<QueueMessageOutcome> ProcessGivenUpAsync()
    {
        var services = factory.Services;
        var queues = services.GetRequiredService<IQueueServiceClient>();
        var poisonName = QueueMessageProcessor.PoisonQueueName(DisconnectionRequested.QueueName);
        var function = services.GetRequiredService<FunctionCatalog>().Queues.Single(q => q.QueueName == poisonName);
        var poison = queues.GetQueueClient(poisonName);
        var message = Assert.Single(await poison.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)));
        return await services.GetRequiredService<QueueMessageProcessor>().ProcessAsync(
            function, poison, queues.GetQueueClient(QueueMessageProcessor.PoisonQueueName(poisonName)), message, CancellationToken.None);
    }
}
