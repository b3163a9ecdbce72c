using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ConnectedAccounts.Storage.Tables;
using global::Azure;
using global::Azure.Core;
using global::Azure.Core.Pipeline;
using ETag = ConnectedAccounts.Storage.Tables.ETag;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// One table over the Table service REST API (JSON, minimal metadata). Expected outcomes (missing entity,
/// existing entity, lost ETag race) come back as values; anything else is a <see cref="RequestFailedException"/>.
/// </summary>
public sealed class AzureTableClient(Uri endpoint, string name, HttpPipeline pipeline) : ITableClient
{
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    private static readonly RequestMethod Merge = new("MERGE");

    public string Name => name;

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Post, "/Tables");
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(message.Request, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = name }));
        var response = await SendAsync(message, cancellationToken);
        if (response.Status is not (201 or 204 or 409))
        {
            throw new RequestFailedException(response);
        }
    }

    /// <summary>Deletes the table and everything in it; false when there was no such table.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, "/Tables('" + EscapeKey(name) + "')");
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => true,
            404 => false,
            _ => throw new RequestFailedException(response),
        };
    }

    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, EntityPath(partitionKey, rowKey));
        var response = await SendAsync(message, cancellationToken);
        switch (response.Status)
        {
            case 200:
                using (var json = JsonDocument.Parse(response.Content.ToMemory()))
                {
                    return TableEntityJson.Deserialize(json.RootElement);
                }

            case 404:
                return null;
            default:
                throw new RequestFailedException(response);
        }
    }

    public async Task<TableWriteResult> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        RequireKeys(entity);
        using var message = CreateMessage(RequestMethod.Post, "/" + name);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(message.Request, TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            201 or 204 => WrittenWith(response),
            409 => TableWriteResult.Failed(TableWriteStatus.AlreadyExists),
            _ => throw new RequestFailedException(response),
        };
    }

    public Task<TableWriteResult> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default)
    {
        RequireETag(ifMatch);
        return WriteAsync(entity, ifMatch, mode, cancellationToken);
    }

    public Task<TableWriteResult> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default) =>
        WriteAsync(entity, ifMatch: null, mode, cancellationToken);

    public async Task<TableWriteResult> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        RequireETag(ifMatch);
        using var message = CreateMessage(RequestMethod.Delete, EntityPath(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch.Value);
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => TableWriteResult.Ok(default),
            _ => WriteFailure(response),
        };
    }

    public async Task<TablePage> QueryAsync(TableQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        TableKeys.Require(query.PartitionKey, nameof(query));
        if (query.Top is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Top, "Top must be between 1 and 1000.");
        }

        using var message = CreateMessage(RequestMethod.Get, "/" + name + "()");
        var uri = message.Request.Uri;
        uri.AppendQuery("$filter", TableFilter.ForQuery(query), escapeValue: true);
        if (query.Top is { } top)
        {
            uri.AppendQuery("$top", top.ToString(CultureInfo.InvariantCulture), escapeValue: true);
        }

        if (query.Select is { } select)
        {
            // The keys are needed to build a TableEntity even when the caller asks only for other properties.
            var columns = select.Concat(["PartitionKey", "RowKey"]).Distinct(StringComparer.Ordinal);
            uri.AppendQuery("$select", string.Join(',', columns), escapeValue: true);
        }

        if (query.ContinuationToken is { } token)
        {
            var (nextPartitionKey, nextRowKey) = DecodeContinuation(token);
            uri.AppendQuery("NextPartitionKey", nextPartitionKey, escapeValue: true);
            if (nextRowKey.Length > 0)
            {
                uri.AppendQuery("NextRowKey", nextRowKey, escapeValue: true);
            }
        }

        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw new RequestFailedException(response);
        }

        var items = new List<TableEntity>();
        using (var json = JsonDocument.Parse(response.Content.ToMemory()))
        {
            foreach (var element in json.RootElement.GetProperty("value").EnumerateArray())
            {
                items.Add(TableEntityJson.Deserialize(element));
            }
        }

        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPk);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRk);
        return new TablePage(items, string.IsNullOrEmpty(nextPk) ? null : EncodeContinuation(nextPk, nextRk ?? string.Empty));
    }

    public async Task<TableTransactionResult> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        var batch = TableBatch.Create(endpoint, name, actions);
        using var message = CreateMessage(RequestMethod.Post, "/$batch");
        message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batch.Boundary);
        message.Request.Content = RequestContent.Create(batch.Body);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 202)
        {
            throw new RequestFailedException(response);
        }

        return TableBatch.ParseResponse(response, actions.Count);
    }

    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    internal static string EntityPath(string tableName, string partitionKey, string rowKey)
    {
        TableKeys.Require(partitionKey, nameof(partitionKey));
        TableKeys.Require(rowKey, nameof(rowKey));
        return "/" + tableName + "(PartitionKey='" + EscapeKey(partitionKey) + "',RowKey='" + EscapeKey(rowKey) + "')";
    }

    private string EntityPath(string partitionKey, string rowKey) => EntityPath(name, partitionKey, rowKey);

    private async Task<TableWriteResult> WriteAsync(TableEntity entity, ETag? ifMatch, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        RequireKeys(entity);
        using var message = CreateMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityPath(entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue("If-Match", etag.Value);
        }

        SetJsonContent(message.Request, TableEntityJson.Serialize(entity));
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => WrittenWith(response),
            _ => WriteFailure(response),
        };
    }

    private HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(endpoint);
        request.Uri.AppendPath(path, escape: false);
        request.Headers.SetValue("Accept", JsonMinimalMetadata);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken);
        return message.Response;
    }

    private static void SetJsonContent(Request request, byte[] body)
    {
        request.Headers.SetValue("Content-Type", "application/json");
        request.Content = RequestContent.Create(body);
    }

    private static TableWriteResult WrittenWith(Response response) =>
        TableWriteResult.Ok(new ETag(response.Headers.TryGetValue("ETag", out var etag) ? etag : string.Empty));

    private static TableWriteResult WriteFailure(Response response) => response.Status switch
    {
        404 => TableWriteResult.Failed(TableWriteStatus.NotFound),
        412 => TableWriteResult.Failed(TableWriteStatus.PreconditionFailed),
        _ => throw new RequestFailedException(response),
    };

    private static void RequireKeys(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableKeys.Require(entity.PartitionKey, nameof(entity));
        TableKeys.Require(entity.RowKey, nameof(entity));
    }

    private static void RequireETag(ETag etag)
    {
        if (string.IsNullOrEmpty(etag.Value))
        {
            throw new ArgumentException("An ETag (or ETag.Any) is required.", nameof(etag));
        }
    }

    private static string EncodeContinuation(string nextPartitionKey, string nextRowKey) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(nextPartitionKey + "\n" + nextRowKey));

    private static (string PartitionKey, string RowKey) DecodeContinuation(string token)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new ArgumentException("Malformed continuation token.", nameof(token));
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline <= 0
            ? throw new ArgumentException("Malformed continuation token.", nameof(token))
            : (text[..newline], text[(newline + 1)..]);
    }
}
