using System.Text.RegularExpressions;
using ConnectedAccounts.Storage.Tables;
using global::Azure.Core;
using global::Azure.Data.Tables;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// An Azure Table Storage account (or Azurite) through Azure.Data.Tables. <c>new AzureTableServiceClient(connectionString)</c>
/// takes any connection string the SDK does (<c>UseDevelopmentStorage=true</c> included);
/// <c>new AzureTableServiceClient(tableEndpoint, credential)</c> uses Entra tokens (a managed identity).
/// </summary>
public sealed partial class AzureTableServiceClient : ITableServiceClient
{
    private readonly TableServiceClient _service;

    public AzureTableServiceClient(string connectionString, TableClientOptions? options = null) =>
        _service = new TableServiceClient(connectionString, StorageClients.Tables(options));

    /// <param name="endpoint">The table endpoint, e.g. <c>https://account.table.core.windows.net</c>.</param>
    /// <param name="credential">For example Azure.Identity's DefaultAzureCredential or ManagedIdentityCredential.</param>
    /// <param name="options">Retry and transport options.</param>
    public AzureTableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null) =>
        _service = new TableServiceClient(endpoint, credential, StorageClients.Tables(options));

    public Uri Endpoint => _service.Uri;

    public AzureTableClient GetTableClient(string tableName)
    {
        if (tableName is null || !TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name (3–63 letters and digits, starting with a letter).", nameof(tableName));
        }

        return new AzureTableClient(_service.GetTableClient(tableName));
    }

    ITableClient ITableServiceClient.GetTableClient(string tableName) => GetTableClient(tableName);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
