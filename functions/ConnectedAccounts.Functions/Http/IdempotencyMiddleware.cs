using System.Security.Cryptography;
using System.Text;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Net.Http.Headers;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// <c>Idempotency-Key</c> on a POST: the first final response (<see cref="IsFinal"/>) is stored per user and key, and a replay
/// with the same key, route and body gets it back unchanged instead of running again. A replay while the first is
/// still running gets 409; the same key on another route or with another body gets 422. A key is kept for
/// <see cref="Retention"/>; after that, or once a first request has stayed unfinished for <see cref="AbandonedAfter"/>
/// (its process died), the key runs a request anew; <see cref="IdempotencySweep"/> deletes records past retention.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, ITableServiceClient tables, TimeProvider time)
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);
    private const int MaxStoredBodyChars = 30_000;
    private const int MaxClaimAttempts = 3;

    private ITableClient Table => tables.GetTableClient(Keys.IdempotencyTable);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values) ||
            CurrentUser.From(context.User) is not { } user)
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (!TableKeys.IsValid(key) || key.Length > MaxKeyLength)
        {
            await Problems.Create(StatusCodes.Status400BadRequest, "idempotency-key-invalid", "Invalid request",
                $"{Header} must be 1–{MaxKeyLength} characters without / \\ # ? or control characters.").ExecuteAsync(context);
            return;
        }

        var partition = Keys.UserPartition(user.Id);
        var now = time.GetUtcNow();
        var request = new TableEntity(partition, key)
        {
            ["State"] = "pending",
            ["Target"] = (context.Request.Path + context.Request.QueryString).ToString(),
            ["Fingerprint"] = await FingerprintAsync(context.Request),
            ["Created"] = now,
        };
        await IdempotencySweep.IndexAsync(Table, request, now, context.RequestAborted);
        var (claim, holder) = await ClaimAsync(request, context.RequestAborted);
        if (claim is not { } etag)
        {
            await ReplayAsync(context, request, holder);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        var stored = false;
        try
        {
            await next(context);
            var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            if (IsFinal(context.Response.StatusCode, body) && body.Length <= MaxStoredBodyChars)
            {
                var done = new TableEntity(partition, key)
                {
                    ["State"] = "done",
                    ["Target"] = request["Target"],
                    ["Fingerprint"] = request["Fingerprint"],
                    ["Created"] = request["Created"],
                    ["Status"] = context.Response.StatusCode,
                    ["ContentType"] = context.Response.ContentType ?? "",
                    ["Location"] = context.Response.Headers.Location.ToString(),
                    ["ETag"] = context.Response.Headers.ETag.ToString(),
                    ["Body"] = body,
                };
                stored = (await Table.UpdateEntityAsync(done, etag, TableUpdateMode.Replace, CancellationToken.None)).Succeeded;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!stored)
            {
                // A failed or unstorable first attempt must not block the retry the key exists for. Only this
                // request's own claim goes: a retry may have taken an abandoned-looking claim over meanwhile.
                await Table.DeleteEntityAsync(partition, key, etag, CancellationToken.None);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>
    /// Writes <paramref name="request"/> as the key's pending record: a new one, or over a record that has lapsed.
    /// Returns the claim's ETag, or else the live record that holds the key (null when it kept changing under us).
    /// </summary>
    private async Task<(ETag? Claim, TableEntity? Holder)> ClaimAsync(TableEntity request, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxClaimAttempts; attempt++)
        {
            var added = await Table.AddEntityAsync(request, ct);
            if (added.Succeeded)
            {
                return (added.ETag, null);
            }

            var holder = await Table.GetEntityIfExistsAsync(request.PartitionKey, request.RowKey, ct);
            if (holder is null)
            {
                continue;
            }

            if (!HasLapsed(holder, time.GetUtcNow()))
            {
                return (null, holder);
            }

            var taken = await Table.UpdateEntityAsync(request, holder.ETag, TableUpdateMode.Replace, ct);
            if (taken.Succeeded)
            {
                return (taken.ETag, null);
            }
        }

        return (null, null);
    }

    /// <summary>
    /// Whether an answer is the request's outcome rather than a moment's: a 5xx, a 429 and a lost race
    /// (<c>concurrent-update</c>) may go the other way when the same request is tried again, so they are not kept.
    /// </summary>
    public static bool IsFinal(int status, string body) =>
        status < 500 && status != StatusCodes.Status429TooManyRequests &&
        !(status == StatusCodes.Status409Conflict && body.Contains(Problems.TypeOf("concurrent-update"), StringComparison.Ordinal));

    /// <summary>
    /// Whether a record no longer holds its key: a finished one after <see cref="Retention"/>, a pending one after
    /// <see cref="AbandonedAfter"/>.
    /// </summary>
    public static bool HasLapsed(TableEntity record, DateTimeOffset now)
    {
        if (record.GetDateTimeOffset("Created") is not { } created)
        {
            return true;
        }

        return now - created >= (record.GetString("State") == "done" ? Retention : AbandonedAfter);
    }

    /// <summary>SHA-256 of the body's bytes, read once and rewound for the endpoint (bodies are at most 64 KiB).</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering(bufferThreshold: (int)RequestLimitsMiddleware.MaxBodyBytes);
        var hash = await SHA256.HashDataAsync(request.Body, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return Convert.ToBase64String(hash);
    }

    private static async Task ReplayAsync(HttpContext context, TableEntity request, TableEntity? first)
    {
        if (first is null || first.GetString("State") != "done")
        {
            await Problems.Create(StatusCodes.Status409Conflict, "idempotency-in-progress", "Conflict",
                "A request with this Idempotency-Key is still being processed; retry shortly.").ExecuteAsync(context);
            return;
        }

        var otherRequest = first.GetString("Target") != request.GetString("Target") ? "for another request"
            : first.GetString("Fingerprint") != request.GetString("Fingerprint") ? "with another request body"
            : null;
        if (otherRequest is not null)
        {
            await Problems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Unprocessable",
                $"This Idempotency-Key was used {otherRequest}.").ExecuteAsync(context);
            return;
        }

        context.Response.StatusCode = first.GetInt32("Status") ?? StatusCodes.Status200OK;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (first.GetString("Location") is { Length: > 0 } location)
        {
            context.Response.Headers.Location = location;
        }

        if (first.GetString("ETag") is { Length: > 0 } etag)
        {
            context.Response.Headers[HeaderNames.ETag] = etag;
        }

        if (first.GetString("ContentType") is { Length: > 0 } contentType)
        {
            context.Response.ContentType = contentType;
        }

        await context.Response.WriteAsync(first.GetString("Body") ?? "", context.RequestAborted);
    }
}
