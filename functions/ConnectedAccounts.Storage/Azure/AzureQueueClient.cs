using ConnectedAccounts.Storage.Queues;
using global::Azure;
using Sdk = global::Azure.Storage.Queues;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// One queue through Azure.Storage.Queues' <see cref="Sdk.QueueClient"/>. A stale pop receipt (the message was
/// received again, or is gone) is a result here, not an exception, as on every <see cref="IQueueClient"/>.
/// </summary>
public sealed class AzureQueueClient(Sdk.QueueClient queue) : IQueueClient
{
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    public string Name => queue.Name;

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the queue and its messages; false when there was no such queue.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default) =>
        (await queue.DeleteIfExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    public async Task SendMessageAsync(string text, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        await queue.SendMessageAsync(text, WithinLimits(visibilityDelay, minimum: TimeSpan.Zero), timeToLive: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        var received = await queue.ReceiveMessagesAsync(maxMessages, WithinLimits(visibilityTimeout, minimum: TimeSpan.FromSeconds(1)), cancellationToken).ConfigureAwait(false);
        return received.Value
            .Where(m => m is not null)
            .Select(m => new QueueMessage(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount, m.InsertedOn ?? default, m.NextVisibleOn ?? default))
            .ToList();
    }

    public async Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        try
        {
            await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 400)
        {
            return false;
        }
    }

    public async Task<string?> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        try
        {
            var updated = await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: WithinLimits(visibilityTimeout, minimum: TimeSpan.Zero)!.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
            return updated.Value.PopReceipt;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 400)
        {
            return null;
        }
    }

    public async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default) =>
        (await queue.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;

    /// <summary>The service counts visibility in whole seconds (rounded up here) up to seven days.</summary>
    private static TimeSpan? WithinLimits(TimeSpan? value, TimeSpan minimum)
    {
        if (value is not { } given)
        {
            return null;
        }

        var seconds = TimeSpan.FromSeconds(Math.Ceiling(given.TotalSeconds));
        return seconds < minimum || given > MaxVisibilityTimeout
            ? throw new ArgumentOutOfRangeException(nameof(value), given, $"Visibility must be between {minimum.TotalSeconds} s and 7 days.")
            : seconds;
    }
}
