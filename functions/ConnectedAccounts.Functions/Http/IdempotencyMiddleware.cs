using System.Text;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Net.Http.Headers;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// <c>Idempotency-Key</c> on a POST: the first response (below 500) is stored per user and key, and a replay
/// with the same key gets it back unchanged instead of running again. A replay while the first is still running
/// gets 409; the same key on another route gets 422.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, ITableServiceClient tables)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;
    private const int MaxStoredBodyChars = 30_000;

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
        var target = context.Request.Path + context.Request.QueryString;
        var pending = new TableEntity(partition, key) { ["State"] = "pending", ["Target"] = target.ToString() };
        var claim = await Table.AddEntityAsync(pending, context.RequestAborted);
        if (!claim.Succeeded)
        {
            await ReplayAsync(context, partition, key, target.ToString());
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
            if (context.Response.StatusCode < 500 && body.Length <= MaxStoredBodyChars)
            {
                var done = new TableEntity(partition, key)
                {
                    ["State"] = "done",
                    ["Target"] = target.ToString(),
                    ["Status"] = context.Response.StatusCode,
                    ["ContentType"] = context.Response.ContentType ?? "",
                    ["Location"] = context.Response.Headers.Location.ToString(),
                    ["ETag"] = context.Response.Headers.ETag.ToString(),
                    ["Body"] = body,
                };
                stored = (await Table.UpdateEntityAsync(done, claim.ETag, TableUpdateMode.Replace, CancellationToken.None)).Succeeded;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!stored)
            {
                // A failed or unstorable first attempt must not block the retry the key exists for.
                await Table.DeleteEntityAsync(partition, key, ETag.Any, CancellationToken.None);
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private async Task ReplayAsync(HttpContext context, string partition, string key, string target)
    {
        var first = await Table.GetEntityIfExistsAsync(partition, key, context.RequestAborted);
        if (first is null || first.GetString("State") != "done")
        {
            await Problems.Create(StatusCodes.Status409Conflict, "idempotency-in-progress", "Conflict",
                "A request with this Idempotency-Key is still being processed; retry shortly.").ExecuteAsync(context);
            return;
        }

        if (first.GetString("Target") != target)
        {
            await Problems.Create(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Unprocessable",
                "This Idempotency-Key was used for another request.").ExecuteAsync(context);
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
