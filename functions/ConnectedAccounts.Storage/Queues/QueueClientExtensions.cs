using global::Azure;

namespace ConnectedAccounts.Storage.Queues;

/// <summary>
/// Queues are not created before the app starts: a sender creates a missing queue when its first message meets
/// "queue not found", which is what the Functions host's own queue output binding does. Azure Queue Storage answers
/// a missing queue with 404 <c>QueueNotFound</c>; the embedded store keeps every queue in one table and never does.
/// </summary>
public static class QueueClientExtensions
{
    /// <summary>Sends <paramref name="text"/>, creating the queue first if the store says it does not exist.</summary>
    public static async Task SendMessageCreatingQueueAsync(this IQueueClient queue, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            await queue.SendMessageAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (RequestFailedException e) when (IsQueueNotFound(e))
        {
            // Created below; a concurrent sender creating it too is fine (create-if-not-exists).
        }

        await queue.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(text, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The approximate message count, or null while the queue has not been created yet.</summary>
    public static async Task<int?> GetApproximateMessageCountIfExistsAsync(this IQueueClient queue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            return await queue.GetApproximateMessageCountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (IsQueueNotFound(e))
        {
            return null;
        }
    }

    private static bool IsQueueNotFound(RequestFailedException e) => e is { Status: 404, ErrorCode: "QueueNotFound" };
}
