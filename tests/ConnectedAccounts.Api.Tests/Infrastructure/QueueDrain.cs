using ConnectedAccounts.Functions.Disconnection;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Infrastructure;

/// <summary>
/// Runs the asynchronous half of the system by hand, deterministically: sweeps the outbox onto the queues, then
/// hands every queued message to the real handler of its queue, until nothing is left.
/// </summary>
public static class QueueDrain
{
    public static async Task<int> DrainAsync(this ApiFactory factory, int deliveries = 1)
    {
        var services = factory.Services;
        var relay = services.GetRequiredService<OutboxRelay>();
        var queues = services.GetRequiredService<IQueueServiceClient>();
        var handled = 0;

        // As the pollers do when they start: a queue is otherwise created by its first message, and on Azure
        // receiving from a queue nothing was sent to yet fails.
        foreach (var (queue, _) in Handlers(services))
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync();
        }

        for (var round = 0; round < 50; round++)
        {
            await relay.SweepAsync(CancellationToken.None);
            var any = false;
            foreach (var (queue, handle) in Handlers(services))
            {
                foreach (var message in await queues.GetQueueClient(queue).ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1)))
                {
                    for (var i = 1; i <= deliveries; i++)
                    {
                        await handle(message.Text, i);
                    }

                    await queues.GetQueueClient(queue).DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    any = true;
                    handled++;
                }
            }

            if (!any)
            {
                return handled;
            }
        }

        throw new InvalidOperationException("The queues did not drain in 50 rounds.");
    }

    private static IEnumerable<(string Queue, Func<string, long, Task> Handle)> Handlers(IServiceProvider services)
    {
        yield return (ProjectionMessage.QueueName, (text, _) => services.GetRequiredService<ProjectionHandler>().HandleAsync(text, CancellationToken.None));
        yield return (DisconnectionRequested.QueueName, (text, count) => services.GetRequiredService<DisconnectionWorker>().HandleAsync(text, count, CancellationToken.None));
        yield return (EmailQueue.Name, (text, _) => services.GetRequiredService<EmailSenderFunction>().HandleAsync(text, CancellationToken.None));
    }
}
