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
    /// <param name="factory">The program.</param>
    /// <param name="deliveries">How often each message is handed to its handler (a redelivery is the normal case).</param>
    /// <param name="onHandlerFailure">
    /// When given, a handler that throws is reported here and its message offered again next round, as a queue retries it;
    /// otherwise the exception ends the drain.
    /// </param>
    /// <param name="sendEmail">False to leave the e-mail queue to a test's own mailbox.</param>
    /// <param name="lease">
    /// How long a received message stays hidden. When given, the drain also waits out messages still hidden by a
    /// receive whose answer was lost, and ends only when every queue counts none.
    /// </param>
    public static async Task<int> DrainAsync(
        this ApiFactory factory, int deliveries = 1, Action<Exception>? onHandlerFailure = null, bool sendEmail = true, TimeSpan? lease = null)
    {
        var services = factory.Services;
        var relay = services.GetRequiredService<OutboxRelay>();
        var queues = services.GetRequiredService<IQueueServiceClient>();
        var handled = 0;

        // As the pollers do when they start: a queue is otherwise created by its first message, and on Azure
        // receiving from a queue nothing was sent to yet fails.
        foreach (var (queue, _) in Handlers(services, sendEmail))
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync();
        }

        var rounds = 0;
        var waitedSince = (DateTimeOffset?)null;
        while (rounds < 50)
        {
            await relay.SweepAsync(CancellationToken.None);
            var any = false;
            foreach (var (queue, handle) in Handlers(services, sendEmail))
            {
                foreach (var message in await queues.GetQueueClient(queue).ReceiveMessagesAsync(32, lease ?? TimeSpan.FromMinutes(1)))
                {
                    any = true;
                    try
                    {
                        for (var i = 1; i <= deliveries; i++)
                        {
                            await handle(message.Text, i);
                        }
                    }
                    catch (Exception e) when (onHandlerFailure is not null)
                    {
                        onHandlerFailure(e);
                        await queues.GetQueueClient(queue).UpdateVisibilityAsync(message.MessageId, message.PopReceipt, TimeSpan.Zero);
                        continue;
                    }

                    await queues.GetQueueClient(queue).DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    handled++;
                }
            }

            if (any)
            {
                rounds++;
                waitedSince = null;
                continue;
            }

            if (lease is not { } hidden || await CountAsync(queues, services, sendEmail) == 0)
            {
                return handled;
            }

            waitedSince ??= DateTimeOffset.UtcNow;
            if (DateTimeOffset.UtcNow - waitedSince > 4 * hidden)
            {
                throw new InvalidOperationException("Messages stayed hidden for four leases.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        throw new InvalidOperationException("The queues did not drain in 50 rounds.");
    }

    /// <summary>Messages left on the queues, hidden ones included.</summary>
    private static async Task<int> CountAsync(IQueueServiceClient queues, IServiceProvider services, bool sendEmail)
    {
        var count = 0;
        foreach (var (queue, _) in Handlers(services, sendEmail))
        {
            count += await queues.GetQueueClient(queue).GetApproximateMessageCountAsync();
        }

        return count;
    }

    private static IEnumerable<(string Queue, Func<string, long, Task> Handle)> Handlers(IServiceProvider services, bool sendEmail)
    {
        yield return (ProjectionMessage.QueueName, (text, _) => services.GetRequiredService<ProjectionHandler>().HandleAsync(text, CancellationToken.None));
        yield return (DisconnectionRequested.QueueName, (text, count) => services.GetRequiredService<DisconnectionWorker>().HandleAsync(text, count, CancellationToken.None));
        if (!sendEmail)
        {
            yield break;
        }

        yield return (EmailQueue.Name, (text, _) => services.GetRequiredService<EmailSenderFunction>().HandleAsync(text, CancellationToken.None));
    }
}
