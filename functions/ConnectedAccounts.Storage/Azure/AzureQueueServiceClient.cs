using System.Text.RegularExpressions;
using ConnectedAccounts.Storage.Queues;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// An Azure Queue Storage account (or Azurite), reached over REST on an Azure.Core pipeline.
/// <c>new AzureQueueServiceClient(connectionString)</c> signs with SharedKey;
/// <c>new AzureQueueServiceClient(queueEndpoint, credential)</c> uses OAuth bearer tokens (managed identity).
/// </summary>
public sealed partial class AzureQueueServiceClient(Uri endpoint, HttpPipeline pipeline) : IQueueServiceClient
{
    public AzureQueueServiceClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public AzureQueueServiceClient(StorageConnectionString connection, StorageClientOptions? options = null)
        : this(connection.QueueEndpoint, StoragePipeline.ForQueues(connection, options))
    {
    }

    /// <param name="endpoint">The queue endpoint, e.g. <c>https://account.queue.core.windows.net</c>.</param>
    /// <param name="credential">For example Azure.Identity's DefaultAzureCredential or ManagedIdentityCredential.</param>
    /// <param name="options">Retry and transport options.</param>
    public AzureQueueServiceClient(Uri endpoint, TokenCredential credential, StorageClientOptions? options = null)
        : this(endpoint, StoragePipeline.ForQueues(credential, options))
    {
    }

    public Uri Endpoint => endpoint;

    public AzureQueueClient GetQueueClient(string queueName)
    {
        if (queueName is null || queueName.Length is < 3 or > 63 || !QueueNamePattern().IsMatch(queueName))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name (3–63 lowercase letters, digits and single hyphens).", nameof(queueName));
        }

        return new AzureQueueClient(endpoint, queueName, pipeline);
    }

    IQueueClient IQueueServiceClient.GetQueueClient(string queueName) => GetQueueClient(queueName);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex QueueNamePattern();
}
