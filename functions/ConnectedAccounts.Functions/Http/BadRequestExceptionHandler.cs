using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// Turns the framework's "could not read the request" exceptions (unreadable JSON, a field of the wrong type, a
/// body over the limit) into the problem document they deserve instead of a 500.
/// </summary>
public sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var result = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? Problems.Create(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Request body too large", $"A request body has at most {RequestLimitsMiddleware.MaxBodyBytes} bytes.")
            : Problems.Create(bad.StatusCode, "malformed-request", "Malformed request", Describe(bad));
        await result.ExecuteAsync(httpContext);
        return true;
    }

    private static string Describe(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException { Path: { } path } => $"The body is not valid JSON for this request (at {path}): check the syntax and the type of each field.",
        JsonException => "The body is not valid JSON for this request.",
        _ => bad.Message,
    };
}
