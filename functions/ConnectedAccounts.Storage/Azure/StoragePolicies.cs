using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// Stamps every attempt with <c>x-ms-version</c> and a fresh <c>x-ms-date</c>; runs per retry so a retried
/// request is not signed with a stale date (the service rejects dates older than 15 minutes).
/// </summary>
public sealed class StorageHeadersPolicy(string serviceVersion, TimeProvider? timeProvider = null) : HttpPipelineSynchronousPolicy
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public override void OnSendingRequest(HttpMessage message)
    {
        message.Request.Headers.SetValue("x-ms-version", serviceVersion);
        message.Request.Headers.SetValue("x-ms-date", _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
    }
}

/// <summary>Calls <see cref="StorageRequestCounter.Increment"/> for every HTTP attempt, retries included.</summary>
public sealed class StorageRequestCountingPolicy : HttpPipelineSynchronousPolicy
{
    public static readonly StorageRequestCountingPolicy Shared = new();

    public override void OnSendingRequest(HttpMessage message) => StorageRequestCounter.Increment();
}

/// <summary>
/// SharedKeyLite for the Table service: <c>HMAC-SHA256(key, x-ms-date + "\n" + "/" + account + path)</c>,
/// where path is the encoded URI path as sent (for path-style Azurite URLs it starts with the account again,
/// e.g. <c>/devstoreaccount1/devstoreaccount1/Tables</c>) plus <c>?comp=…</c> when present.
/// </summary>
public sealed class TableSharedKeyLitePolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var signature = SharedKeySigning.Sign(accountKey, StringToSign(message.Request, accountName));
        message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {accountName}:{signature}");
    }

    public static string StringToSign(Request request, string accountName)
    {
        var date = request.Headers.TryGetValue("x-ms-date", out var d) ? d : string.Empty;
        var uri = request.Uri.ToUri();
        var resource = "/" + accountName + uri.AbsolutePath;
        var comp = SharedKeySigning.QueryParameters(uri).FirstOrDefault(p => p.Name.Equals("comp", StringComparison.OrdinalIgnoreCase));
        if (comp.Name is not null)
        {
            resource += "?comp=" + comp.Value;
        }

        return date + "\n" + resource;
    }
}

/// <summary>
/// SharedKey for the Queue service (version 2015-02-21 and later: a zero Content-Length signs as empty):
/// verb, the standard headers, canonicalized <c>x-ms-</c> headers, then <c>/account/path</c> and the sorted,
/// decoded query parameters.
/// </summary>
public sealed class QueueSharedKeyPolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var signature = SharedKeySigning.Sign(accountKey, StringToSign(message.Request, accountName));
        message.Request.Headers.SetValue("Authorization", $"SharedKey {accountName}:{signature}");
    }

    public static string StringToSign(Request request, string accountName)
    {
        string Header(string name) => request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

        var contentLength = request.Content is { } content && content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : string.Empty;

        var sb = new StringBuilder();
        sb.Append(request.Method.Method.ToUpperInvariant()).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(contentLength).Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is signed among the canonicalized headers instead.
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), h.Value))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(header.Name).Append(':').Append(header.Value.Trim()).Append('\n');
        }

        var uri = request.Uri.ToUri();
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);
        foreach (var group in SharedKeySigning.QueryParameters(uri)
                     .GroupBy(p => p.Name.ToLowerInvariant())
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(group.Key).Append(':')
                .AppendJoin(',', group.Select(p => p.Value).Order(StringComparer.Ordinal));
        }

        return sb.ToString();
    }
}

internal static class SharedKeySigning
{
    public static string Sign(byte[] key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    public static IEnumerable<(string Name, string Value)> QueryParameters(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            yield break;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            yield return equals < 0
                ? (Uri.UnescapeDataString(pair), string.Empty)
                : (Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
        }
    }
}
