using System.Text.RegularExpressions;
using ConnectedAccounts.Storage.Tables;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// An Azure Table Storage account (or Azurite), reached over REST on an Azure.Core pipeline.
/// <c>new AzureTableServiceClient(connectionString)</c> signs with SharedKeyLite;
/// <c>new AzureTableServiceClient(tableEndpoint, credential)</c> uses OAuth bearer tokens (managed identity).
/// </summary>
public sealed partial class AzureTableServiceClient(Uri endpoint, HttpPipeline pipeline) : ITableServiceClient
{
    public AzureTableServiceClient(string connectionString, StorageClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options)
    {
    }

    public AzureTableServiceClient(StorageConnectionString connection, StorageClientOptions? options = null)
        : this(connection.TableEndpoint, StoragePipeline.ForTables(connection, options))
    {
    }

    /// <param name="endpoint">The table endpoint, e.g. <c>https://account.table.core.windows.net</c>.</param>
    /// <param name="credential">For example Azure.Identity's DefaultAzureCredential or ManagedIdentityCredential.</param>
    /// <param name="options">Retry and transport options.</param>
    public AzureTableServiceClient(Uri endpoint, TokenCredential credential, StorageClientOptions? options = null)
        : this(endpoint, StoragePipeline.ForTables(credential, options))
    {
    }

    public Uri Endpoint => endpoint;

    public AzureTableClient GetTableClient(string tableName)
    {
        if (tableName is null || !TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name (3–63 letters and digits, starting with a letter).", nameof(tableName));
        }

        return new AzureTableClient(endpoint, tableName, pipeline);
    }

    ITableClient ITableServiceClient.GetTableClient(string tableName) => GetTableClient(tableName);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
