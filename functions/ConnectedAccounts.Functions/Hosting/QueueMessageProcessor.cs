using ConnectedAccounts.Storage.Queues;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// What the Functions queue trigger does with one received message, for the standalone poller: run the handler, delete
/// on success, hide for <see cref="QueueRunnerOptions.VisibilityTimeout"/> on failure, and after
/// <see cref="QueueRunnerOptions.MaxDequeueCount"/> failed deliveries move it to <c>&lt;queue&gt;-poison</c>.
/// </summary>
public sealed class QueueMessageProcessor(FunctionInvoker invoker, IOptions<QueueRunnerOptions> options, ILogger<QueueMessageProcessor> logger)
{
    public static string PoisonQueueName(string queueName) => QueueProcessor.PoisonQueueName(queueName);

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

        try
        {
            await invoker.InvokeQueueAsync(
                function, new QueueInvocation(message.Text, message.DequeueCount, message.MessageId, message.InsertedOn), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Function {Function} failed on message {MessageId} (delivery {DequeueCount} of {Max})",
                function.Name, message.MessageId, message.DequeueCount, maxDequeueCount);
            if (message.DequeueCount >= maxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, cancellationToken);
                return QueueMessageOutcome.Poisoned;
            }

            await queue.UpdateVisibilityAsync(message.MessageId, message.PopReceipt, options.Value.VisibilityTimeout, cancellationToken);
            return QueueMessageOutcome.Retried;
        }

        if (!await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken))
        {
            // The lease ran out and another receiver holds the message: it will run again, which idempotent handlers allow.
            logger.LogWarning("Message {MessageId} of {Queue} was handled but its lease had expired", message.MessageId, queue.Name);
        }

        return QueueMessageOutcome.Completed;
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
