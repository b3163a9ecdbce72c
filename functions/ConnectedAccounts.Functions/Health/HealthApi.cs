using ConnectedAccounts.Functions.Http;
using ConnectedAccounts.Functions.Outbox;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Tables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Health;

public static class HealthApi
{
    public sealed record HealthResponse(string Status);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckHealth).WithTags("Operations").AllowAnonymous();
        app.MapGet("/livez", () => TypedResults.Ok(new HealthResponse("ok"))).WithTags("Operations").AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Readiness: 200 when the table store and the queue answer; 503 (problem) when either does not. A queue that its
    /// first message has not created yet is an answer too.
    /// <c>/livez</c> is liveness: the process serves HTTP, nothing more is asked.
    /// </summary>
    public static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> CheckHealth(
        ITableServiceClient tables, IQueueServiceClient queues, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            await tables.GetTableClient(Keys.DataTable).GetEntityIfExistsAsync("healthz", "healthz", ct);
            await queues.GetQueueClient(ProjectionMessage.QueueName).GetApproximateMessageCountIfExistsAsync(ct);
            return TypedResults.Ok(new HealthResponse("ok"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Health is the one place a storage fault is the answer rather than a bug.
            loggers.CreateLogger("Health").LogError(ex, "Health check failed");
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "unhealthy", "Unhealthy", "Storage or queue did not answer.");
        }
    }
}
