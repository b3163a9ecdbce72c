using ConnectedAccounts.Storage.Queues;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// What the Functions queue trigger does with one received message, for the standalone poller: run the handler, delete
/// on success, hide for <see cref="QueueRunnerOptions.VisibilityTimeout"/> on failure, and after
/// <see cref="QueueRunnerOptions.MaxDequeueCount"/> failed deliveries move it to <c>&lt;queue&gt;-poison</c>. A message
/// is received for a short lease (<see cref="QueueRunnerOptions.MessageLease"/>), so one whose receive answer was lost
/// comes back within seconds; while the handler runs the lease is renewed every third of it, as the host does.
/// </summary>
public sealed class QueueMessageProcessor(
    FunctionInvoker invoker, IOptions<QueueRunnerOptions> options, TimeProvider time, ILogger<QueueMessageProcessor> logger)
{
    public static string PoisonQueueName(string queueName) => QueueNames.Poison(queueName);

    /// <returns>What happened to the message.</returns>
    public async Task<QueueMessageOutcome> ProcessAsync(
        QueueFunctionRegistration function, IQueueClient queue, IQueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        var maxDequeueCount = options.Value.MaxDequeueCount;
        if (message.DequeueCount > maxDequeueCount)
        {
            // Delivered too often without success or failure being recorded (e.g. the process died mid-handler).
            await MoveToPoisonAsync(queue, poison, message, cancellationToken);
            return QueueMessageOutcome.Poisoned;
        }

        var lease = new Lease(message.PopReceipt);
        Exception? failure = null;
        using (var handled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var renewing = RenewAsync(queue, message.MessageId, lease, handled.Token, cancellationToken);
            try
            {
                await invoker.InvokeQueueAsync(function, message, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = e;
            }
            finally
            {
                await handled.CancelAsync();
                await renewing;
            }
        }

        if (failure is not null)
        {
            logger.LogError(failure, "Function {Function} failed on message {MessageId} (delivery {DequeueCount} of {Max})",
                function.Name, message.MessageId, message.DequeueCount, maxDequeueCount);
            if (message.DequeueCount >= maxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message with { PopReceipt = lease.PopReceipt }, cancellationToken);
                return QueueMessageOutcome.Poisoned;
            }

            await queue.UpdateVisibilityAsync(message.MessageId, lease.PopReceipt, options.Value.VisibilityTimeout, cancellationToken);
            return QueueMessageOutcome.Retried;
        }

        if (!await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, cancellationToken))
        {
            // The lease ran out and another receiver holds the message: it will run again, which idempotent handlers allow.
            logger.LogWarning("Message {MessageId} of {Queue} was handled but its lease had expired", message.MessageId, queue.Name);
        }

        return QueueMessageOutcome.Completed;
    }

    /// <summary>The pop receipt of the latest renewal: deleting or releasing the message needs it.</summary>
    private sealed class Lease(string popReceipt)
    {
        public string PopReceipt { get; set; } = popReceipt;
    }

    /// <summary>
    /// Extends the lease until <paramref name="handled"/> fires. Only the wait between renewals stops then: a renewal
    /// already sent runs to its end, so the receipt it returns is never lost to a cancellation.
    /// </summary>
    private async Task RenewAsync(IQueueClient queue, string messageId, Lease lease, CancellationToken handled, CancellationToken cancellationToken)
    {
        var length = options.Value.MessageLease;
        while (true)
        {
            try
            {
                await Task.Delay(length / 3, time, handled);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (await queue.UpdateVisibilityAsync(messageId, lease.PopReceipt, length, cancellationToken) is not { } receipt)
                {
                    logger.LogWarning("The lease of message {MessageId} of {Queue} was lost; another delivery may run it again", messageId, queue.Name);
                    return;
                }

                lease.PopReceipt = receipt;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // The next renewal tries again; if the lease runs out meanwhile, the message is delivered again.
                logger.LogWarning(e, "Renewing the lease of message {MessageId} of {Queue} failed", messageId, queue.Name);
            }
        }
    }

    private async Task MoveToPoisonAsync(IQueueClient queue, IQueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        // Copy before delete: a crash in between duplicates the message in the poison queue rather than losing it.
        // The poison queue is created by the first message it gets, as the Functions host does.
        await poison.SendMessageCreatingQueueAsync(message.Text, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        logger.LogWarning("Message {MessageId} moved to {PoisonQueue} after {DequeueCount} deliveries", message.MessageId, poison.Name, message.DequeueCount);
    }
}

public enum QueueMessageOutcome
{
    Completed,
    Retried,
    Poisoned,
}
