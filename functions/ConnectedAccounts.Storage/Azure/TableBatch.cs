using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConnectedAccounts.Storage.Tables;
using global::Azure;
using ETag = ConnectedAccounts.Storage.Tables.ETag;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// An entity group transaction as the Table service's <c>$batch</c> wants it: one multipart/mixed batch holding
/// one changeset whose parts are whole HTTP requests. The limits are checked here because Azurite does not
/// enforce them and the real service would otherwise fail the batch at deploy time instead of test time.
/// </summary>
internal sealed partial record TableBatch(string Boundary, byte[] Body)
{
    public const int MaxActions = 100;
    public const int MaxPayloadBytes = 4 * 1024 * 1024;

    public static TableBatch Create(Uri endpoint, string tableName, IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count is 0 or > MaxActions)
        {
            throw new ArgumentException($"A transaction holds 1 to {MaxActions} actions, not {actions.Count}.", nameof(actions));
        }

        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            TableKeys.Require(action.Entity.PartitionKey, nameof(actions));
            TableKeys.Require(action.Entity.RowKey, nameof(actions));
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of a transaction must share one partition key.", nameof(actions));
            }

            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"Row '{action.Entity.RowKey}' appears twice; a transaction touches each entity once.", nameof(actions));
            }
        }

        var batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
        var changesetBoundary = "changeset_" + Guid.NewGuid().ToString("N");
        var tableUri = endpoint.AbsoluteUri.TrimEnd('/') + "/" + tableName;

        using var body = new MemoryStream();
        Write(body, $"--{batchBoundary}\r\nContent-Type: multipart/mixed; boundary={changesetBoundary}\r\n\r\n");
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var entityUri = endpoint.AbsoluteUri.TrimEnd('/') + AzureTableClient.EntityPath(tableName, action.Entity.PartitionKey, action.Entity.RowKey);
            var (method, uri, ifMatch, withBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUri, (ETag?)null, true),
                TableTransactionActionType.UpdateReplace => ("PUT", entityUri, RequireETag(action.ETag), true),
                TableTransactionActionType.UpdateMerge => ("MERGE", entityUri, RequireETag(action.ETag), true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUri, null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUri, null, true),
                TableTransactionActionType.Delete => ("DELETE", entityUri, RequireETag(action.ETag), false),
                _ => throw new ArgumentException($"Unknown action type {action.ActionType}.", nameof(actions)),
            };

            var part = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"--{changesetBoundary}\r\n")
                .Append("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                .Append(CultureInfo.InvariantCulture, $"{method} {uri} HTTP/1.1\r\n")
                .Append("Accept: application/json;odata=minimalmetadata\r\n")
                .Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is { } etag)
            {
                part.Append(CultureInfo.InvariantCulture, $"If-Match: {etag.Value}\r\n");
            }

            if (withBody)
            {
                var json = TableEntityJson.Serialize(action.Entity);
                part.Append("Content-Type: application/json\r\n");
                if (method == "POST")
                {
                    part.Append("Prefer: return-no-content\r\n");
                }

                part.Append(CultureInfo.InvariantCulture, $"Content-Length: {json.Length}\r\n\r\n");
                Write(body, part.ToString());
                body.Write(json);
                Write(body, "\r\n");
            }
            else
            {
                Write(body, part.Append("\r\n").ToString());
            }

            if (body.Length > MaxPayloadBytes)
            {
                throw new ArgumentException($"The transaction is larger than {MaxPayloadBytes} bytes.", nameof(actions));
            }
        }

        Write(body, $"--{changesetBoundary}--\r\n--{batchBoundary}--\r\n");
        return body.Length > MaxPayloadBytes
            ? throw new ArgumentException($"The transaction is larger than {MaxPayloadBytes} bytes.", nameof(actions))
            : new TableBatch(batchBoundary, body.ToArray());
    }

    /// <summary>
    /// Reads the changeset response: one HTTP response per action when it succeeded; a single error response
    /// when it failed, whose message starts with the failing action's index (<c>"3:The specified entity…"</c>).
    /// </summary>
    public static TableTransactionResult ParseResponse(Response response, int actionCount)
    {
        var text = response.Content.ToString();
        var starts = StatusLine().Matches(text);
        var parts = new List<(int Status, string Text)>(starts.Count);
        for (var i = 0; i < starts.Count; i++)
        {
            var end = i + 1 < starts.Count ? starts[i + 1].Index : text.Length;
            parts.Add((int.Parse(starts[i].Groups[1].Value, CultureInfo.InvariantCulture), text[starts[i].Index..end]));
        }

        var failure = parts.FindIndex(p => p.Status >= 400);
        if (failure < 0)
        {
            if (parts.Count != actionCount)
            {
                throw new RequestFailedException(response.Status, $"The batch response holds {parts.Count} responses for {actionCount} actions.");
            }

            return TableTransactionResult.Ok(parts
                .Select(p => ETagHeader().Match(p.Text) is { Success: true } m ? new ETag(m.Groups[1].Value.Trim()) : default)
                .ToList());
        }

        var (status, partText) = parts[failure];
        var (code, message) = ErrorOf(partText);
        var index = FailedIndex().Match(message) is { Success: true } indexMatch
            ? int.Parse(indexMatch.Groups[1].Value, CultureInfo.InvariantCulture)
            : ContentId().Match(partText) is { Success: true } contentId
                ? int.Parse(contentId.Groups[1].Value, CultureInfo.InvariantCulture)
                : actionCount == 1 ? 0 : failure;
        return status switch
        {
            409 when code == "EntityAlreadyExists" => TableTransactionResult.Failed(index, TableWriteStatus.AlreadyExists),
            404 => TableTransactionResult.Failed(index, TableWriteStatus.NotFound),
            412 => TableTransactionResult.Failed(index, TableWriteStatus.PreconditionFailed),
            _ => throw new RequestFailedException(status, $"Transaction action {index} failed: {code} {message}", code, null),
        };
    }

    private static (string Code, string Message) ErrorOf(string partText)
    {
        var start = partText.IndexOf('{', StringComparison.Ordinal);
        var end = partText.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return (string.Empty, string.Empty);
        }

        try
        {
            using var json = JsonDocument.Parse(partText[start..(end + 1)]);
            var error = json.RootElement.GetProperty("odata.error");
            var code = error.TryGetProperty("code", out var c) ? c.GetString() ?? string.Empty : string.Empty;
            var message = error.TryGetProperty("message", out var m)
                ? m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.GetString()
                : null;
            return (code, message ?? string.Empty);
        }
        catch (JsonException)
        {
            return (string.Empty, partText);
        }
        catch (KeyNotFoundException)
        {
            return (string.Empty, partText);
        }
    }

    private static ETag RequireETag(ETag etag) =>
        string.IsNullOrEmpty(etag.Value) ? throw new ArgumentException("Updates and deletes in a transaction need an ETag (or ETag.Any).", nameof(etag)) : etag;

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^ETag:\s*(.+?)\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ETagHeader();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndex();

    [GeneratedRegex(@"^Content-ID:\s*(\d+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ContentId();
}
