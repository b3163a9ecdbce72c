namespace ConnectedAccounts.Storage.Queues;

public sealed record QueueProcessingOptions
{
    /// <summary>Messages taken per batch (Azure allows 1–32).</summary>
    public int MaxMessages { get; init; } = 16;

    /// <summary>How long a received message stays hidden; a failed message reappears after it.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries allowed before a message goes to the poison queue (the Functions host default is 5).</summary>
    public int MaxDequeueCount { get; init; } = 5;
}

/// <summary>A handler that threw: returned, not swallowed, so the caller logs it.</summary>
public sealed record QueueMessageFailure(QueueMessage Message, Exception Exception);

public sealed record QueueBatchResult(int Processed, int Poisoned, IReadOnlyList<QueueMessageFailure> Failures)
{
    public int Received => Processed + Poisoned + Failures.Count;
}

/// <summary>
/// One receive-handle-delete pass over a queue, the same for every queue backend. A message delivered more than
/// <see cref="QueueProcessingOptions.MaxDequeueCount"/> times is moved to <c>&lt;queue&gt;-poison</c> instead of
/// being handled again, as the Functions host does; a failed message is left alone so that it reappears after its
/// visibility timeout and counts towards that limit.
/// </summary>
public static class QueueProcessor
{
    public static string PoisonQueueName(string queueName) => queueName + "-poison";

    public static async Task<QueueBatchResult> ProcessBatchAsync(
        IQueueServiceClient queues,
        string queueName,
        Func<QueueMessage, CancellationToken, Task> handler,
        QueueProcessingOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);

        var queue = queues.GetQueueClient(queueName);
        var messages = await queue.ReceiveMessagesAsync(options.MaxMessages, options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
        var processed = 0;
        var poisoned = 0;
        var failures = new List<QueueMessageFailure>();

        foreach (var message in messages)
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                var poison = queues.GetQueueClient(PoisonQueueName(queueName));
                await poison.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                await poison.SendMessageAsync(message.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
                // A stale receipt here means another receiver took the message after our window closed; it will
                // see the same dequeue count and poison it too, so a duplicate in the poison queue is the worst case.
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                poisoned++;
                continue;
            }

            try
            {
                await handler(message, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // Any handler failure means "retry later"; it is handed back to the caller to log.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                failures.Add(new QueueMessageFailure(message, exception));
                continue;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            processed++;
        }

        return new QueueBatchResult(processed, poisoned, failures);
    }
}
