using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectedAccounts.Api.Tests.Email;

/// <summary>
/// A real HTTP listener on 127.0.0.1 that records every request and answers the scripted responses in order,
/// then 202 like SendGrid's <c>mail/send</c>.
/// </summary>
internal sealed class FakeSendGrid : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Answer> script;
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private FakeSendGrid(WebApplication app, IEnumerable<Answer> answers)
    {
        this.app = app;
        script = new ConcurrentQueue<Answer>(answers);
        app.Run(HandleAsync);
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public string BaseUrl => app.Urls.Single();

    public static async Task<FakeSendGrid> StartAsync(params Answer[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new FakeSendGrid(builder.Build(), answers);
        await fake.app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        Requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path,
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType,
            await reader.ReadToEndAsync(),
            clock.Elapsed));

        var answer = script.TryDequeue(out var next) ? next : Answer.Accepted;
        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (answer.Status == StatusCodes.Status202Accepted)
        {
            context.Response.Headers["X-Message-Id"] = $"sg-{Requests.Count}";
        }

        if (answer.Body is { } body)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    internal sealed record Answer(int Status, string? RetryAfter = null, string? Body = null)
    {
        public static readonly Answer Accepted = new(StatusCodes.Status202Accepted);
    }

    internal sealed record RecordedRequest(
        string Method,
        string Path,
        string Authorization,
        string? ContentType,
        string Body,
        TimeSpan ReceivedAt);
}
