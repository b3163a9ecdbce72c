using System.Text.Json;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>Marks the routes that exist only for the Functions host, so they never become HTTP functions.</summary>
public sealed class FunctionsHostEndpointMetadata
{
    public static readonly FunctionsHostEndpointMetadata Instance = new();
}

/// <summary>
/// The custom-handler side of the host contract, mapped only in Functions mode. The routes are anonymous because the
/// host calls them over loopback (Kestrel listens on 127.0.0.1 only) and sends no user token; standalone they do not
/// exist at all, so nothing outside the machine can trigger a queue or timer function.
/// </summary>
internal static class FunctionInvocationEndpoints
{
    public static void MapFunctionInvocations(this IEndpointRouteBuilder app, FunctionCatalog catalog)
    {
        // The host polls GET / until it gets any answer before it sends invocations.
        app.MapGet("/", () => Results.Ok())
            .AllowAnonymous().ExcludeFromDescription().WithMetadata(FunctionsHostEndpointMetadata.Instance);

        foreach (var function in catalog.All)
        {
            app.MapPost($"/{function.Name}", (HttpContext http, FunctionInvoker invoker, ILoggerFactory loggers) =>
                    InvokeAsync(http, function, invoker, loggers.CreateLogger($"Functions.{function.Name}")))
                .AllowAnonymous().ExcludeFromDescription().WithMetadata(FunctionsHostEndpointMetadata.Instance);
        }
    }

    private static async Task<IResult> InvokeAsync(HttpContext http, FunctionRegistration function, FunctionInvoker invoker, ILogger logger)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            var request = await JsonSerializer.DeserializeAsync(http.Request.Body, HostingJsonContext.Default.FunctionInvocationRequest, cancellationToken)
                ?? throw new InvalidInvocationException("The invocation body is null.");
            switch (function)
            {
                case QueueFunctionRegistration queue:
                    var message = InvocationPayload.ReadQueueInvocation(request);
                    await invoker.InvokeQueueAsync(queue, message, cancellationToken);
                    return Answer(StatusCodes.Status200OK, $"{function.Name} handled message {message.MessageId} (delivery {message.DequeueCount}).");
                case TimerFunctionRegistration timer:
                    var run = InvocationPayload.ReadTimerInvocation(request);
                    await invoker.InvokeTimerAsync(timer, run, cancellationToken);
                    return Answer(StatusCodes.Status200OK, $"{function.Name} ran (past due: {run.IsPastDue}).");
                default:
                    throw new InvalidOperationException($"Function '{function.Name}' has no invoker.");
            }
        }
        catch (Exception e) when (e is JsonException or InvalidInvocationException)
        {
            logger.LogWarning("Rejected an invocation of {Function}: {Reason}", function.Name, e.Message);
            return Answer(StatusCodes.Status400BadRequest, $"{function.Name}: unreadable invocation payload: {e.Message}");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Not swallowed: the non-2xx answer fails the invocation, so the host retries it and finally poisons the
            // message. The log line names the fault without a stack trace; the full exception goes to our own log.
            logger.LogError(e, "Function {Function} failed", function.Name);
            return Answer(StatusCodes.Status500InternalServerError, $"{function.Name} failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static IResult Answer(int statusCode, string log) =>
        Results.Json(new FunctionInvocationResponse([], [log], null), HostingJsonContext.Default.FunctionInvocationResponse, statusCode: statusCode);
}
