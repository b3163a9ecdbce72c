using global::Azure.Core;
using global::Azure.Core.Pipeline;
using global::Azure.Data.Tables;
using global::Azure.Storage.Queues;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// Client options for the Azure SDK clients: exponential retries of what Azure.Core's classifier calls transient
/// (408, 429, 500, 502, 503, 504, dropped connections) with a per-attempt timeout short enough that a stuck
/// connection is retried rather than waited on, and every attempt counted by <see cref="StorageRequestCounter"/>.
/// Options a caller passes (say, with an extra policy) keep their own retry settings.
/// </summary>
public static class StorageClients
{
    public static TableClientOptions Tables(TableClientOptions? given = null) => Counted(given ?? WithRetries(new TableClientOptions()));

    /// <summary>Base64 messages, which is what the Functions queue trigger reads and writes.</summary>
    public static QueueClientOptions Queues(QueueClientOptions? given = null)
    {
        var options = Counted(given ?? WithRetries(new QueueClientOptions()));
        options.MessageEncoding = QueueMessageEncoding.Base64;
        return options;
    }

    private static T WithRetries<T>(T options)
        where T : ClientOptions
    {
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 4;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        options.Diagnostics.IsLoggingContentEnabled = false;
        return options;
    }

    private static T Counted<T>(T options)
        where T : ClientOptions
    {
        options.AddPolicy(StorageRequestCountingPolicy.Shared, HttpPipelinePosition.PerRetry);
        return options;
    }
}

/// <summary>Calls <see cref="StorageRequestCounter.Increment"/> for every HTTP attempt, retries included.</summary>
public sealed class StorageRequestCountingPolicy : HttpPipelineSynchronousPolicy
{
    public static readonly StorageRequestCountingPolicy Shared = new();

    public override void OnSendingRequest(HttpMessage message) => StorageRequestCounter.Increment();
}
