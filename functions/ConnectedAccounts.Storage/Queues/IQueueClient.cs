namespace ConnectedAccounts.Storage.Queues;

/// <summary>A received message. <see cref="PopReceipt"/> proves the receiver holds it until the visibility timeout.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset NextVisibleOn);

/// <summary>
/// One queue with at-least-once delivery, shaped like Azure.Storage.Queues' QueueClient. Implementations:
/// <c>SqliteQueueClient</c> (embedded default) and <c>AzureQueueClient</c> (REST).
/// </summary>
public interface IQueueClient
{
    string Name { get; }

    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    Task SendMessageAsync(string text, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxMessages"/> (1–32) messages, hidden from others for <paramref name="visibilityTimeout"/>.</summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>False when the pop receipt is stale (the message was received again or is gone).</summary>
    Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default);

    /// <summary>The new pop receipt, or null when the given one is stale.</summary>
    Task<string?> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default);
}

public interface IQueueServiceClient
{
    IQueueClient GetQueueClient(string queueName);
}
