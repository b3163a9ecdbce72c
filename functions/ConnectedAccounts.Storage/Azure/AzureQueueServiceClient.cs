using System.Text.RegularExpressions;
using ConnectedAccounts.Storage.Queues;
using global::Azure.Core;
using global::Azure.Storage.Queues;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// An Azure Queue Storage account (or Azurite) through Azure.Storage.Queues, with Base64 messages as the Functions
/// queue trigger expects. A message that is not Base64 (written by some other tool) cannot be decoded: it is moved
/// to <c>&lt;queue&gt;-poison</c> as it was received, so it neither stalls the queue nor is lost.
/// </summary>
public sealed partial class AzureQueueServiceClient : IQueueServiceClient
{
    private readonly QueueServiceClient _service;

    public AzureQueueServiceClient(string connectionString, QueueClientOptions? options = null) =>
        _service = new QueueServiceClient(connectionString, WithForeignMessagesMovedAside(StorageClients.Queues(options)));

    /// <param name="endpoint">The queue endpoint, e.g. <c>https://account.queue.core.windows.net</c>.</param>
    /// <param name="credential">For example Azure.Identity's DefaultAzureCredential or ManagedIdentityCredential.</param>
    /// <param name="options">Retry and transport options.</param>
    public AzureQueueServiceClient(Uri endpoint, TokenCredential credential, QueueClientOptions? options = null) =>
        _service = new QueueServiceClient(endpoint, credential, WithForeignMessagesMovedAside(StorageClients.Queues(options)));

    public Uri Endpoint => _service.Uri;

    public AzureQueueClient GetQueueClient(string queueName)
    {
        if (queueName is null || queueName.Length is < 3 or > 63 || !QueueNamePattern().IsMatch(queueName))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name (3–63 lowercase letters, digits and single hyphens).", nameof(queueName));
        }

        return new AzureQueueClient(_service.GetQueueClient(queueName));
    }

    IQueueClient IQueueServiceClient.GetQueueClient(string queueName) => GetQueueClient(queueName);

    private QueueClientOptions WithForeignMessagesMovedAside(QueueClientOptions options)
    {
        options.MessageDecodingFailed += async args =>
        {
            if (args.ReceivedMessage is not { } message)
            {
                return;
            }

            var poison = _service.GetQueueClient(QueueNames.Poison(args.Queue.Name));
            await poison.CreateIfNotExistsAsync(cancellationToken: args.CancellationToken).ConfigureAwait(false);
            // Sent as it was received: the raw text, Base64-encoded by the poison queue's client.
            await poison.SendMessageAsync(message.Body.ToString(), args.CancellationToken).ConfigureAwait(false);
            await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken).ConfigureAwait(false);
        };
        return options;
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex QueueNamePattern();
}
