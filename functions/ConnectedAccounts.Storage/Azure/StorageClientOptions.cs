using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// Transport, retry and diagnostics options for the storage clients. Azure.Core's default classifier retries
/// 408, 429, 500, 502, 503 and 504 and network timeouts; these defaults add exponential back-off and a
/// per-attempt timeout short enough that a stuck connection is retried rather than waited on.
/// </summary>
public sealed class StorageClientOptions : ClientOptions
{
    public StorageClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 4;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        Diagnostics.IsLoggingContentEnabled = false;
    }

    /// <summary>Table service version; 2019-02-02 is the first that accepts OAuth bearer tokens.</summary>
    public string TableServiceVersion { get; set; } = "2019-02-02";

    public string QueueServiceVersion { get; set; } = "2021-12-02";

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Builds the HTTP pipelines: headers, then authentication, then counting, on every attempt.</summary>
public static class StoragePipeline
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline ForTables(StorageConnectionString connection, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        return Build(options, options.TableServiceVersion, new TableSharedKeyLitePolicy(connection.AccountName, connection.AccountKey));
    }

    public static HttpPipeline ForQueues(StorageConnectionString connection, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        return Build(options, options.QueueServiceVersion, new QueueSharedKeyPolicy(connection.AccountName, connection.AccountKey));
    }

    public static HttpPipeline ForTables(TokenCredential credential, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        return Build(options, options.TableServiceVersion, new BearerTokenAuthenticationPolicy(credential, StorageScope));
    }

    public static HttpPipeline ForQueues(TokenCredential credential, StorageClientOptions? options = null)
    {
        options ??= new StorageClientOptions();
        return Build(options, options.QueueServiceVersion, new BearerTokenAuthenticationPolicy(credential, StorageScope));
    }

    private static HttpPipeline Build(StorageClientOptions options, string serviceVersion, HttpPipelinePolicy authentication) =>
        HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [],
            perRetryPolicies: [new StorageHeadersPolicy(serviceVersion, options.TimeProvider), authentication, StorageRequestCountingPolicy.Shared],
            responseClassifier: new ResponseClassifier());
}
