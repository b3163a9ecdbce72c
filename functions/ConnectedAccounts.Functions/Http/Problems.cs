using ConnectedAccounts.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConnectedAccounts.Functions.Http;

/// <summary>
/// Every error the API returns is an RFC 9457 problem document whose <c>type</c> is one of these stable URIs
/// (<see cref="TypeBase"/> + a code). Clients switch on the type, never on the text.
/// </summary>
public static class Problems
{
    public const string TypeBase = "https://connected-accounts.dev/problems/";

    public static string TypeOf(string code) => TypeBase + code;

    public static ProblemHttpResult Of(DomainError error) => error.Kind switch
    {
        ErrorKind.NotFound => Create(StatusCodes.Status404NotFound, error.Code, "Not found", error.Detail),
        ErrorKind.Forbidden => Create(StatusCodes.Status403Forbidden, error.Code, "Forbidden", error.Detail),
        ErrorKind.Conflict => Create(StatusCodes.Status409Conflict, error.Code, "Conflict", error.Detail),
        _ => Create(StatusCodes.Status400BadRequest, error.Code, "Invalid request", error.Detail),
    };

    /// <summary>The same answer for "does not exist" and "not yours", so ids cannot be probed.</summary>
    public static ProblemHttpResult NotFound(string what = "resource") =>
        Create(StatusCodes.Status404NotFound, "not-found", "Not found", $"No such {what}, or it is not visible to you.");

    public static ProblemHttpResult Forbidden(string action) =>
        Create(StatusCodes.Status403Forbidden, "forbidden", "Forbidden", $"Your role here does not allow '{action}'.");

    public static ProblemHttpResult PreconditionFailed() =>
        Create(StatusCodes.Status412PreconditionFailed, "precondition-failed", "Precondition failed", "The resource changed since you read it (If-Match is stale). Read it again and retry.");

    public static ProblemHttpResult ConcurrentUpdate() =>
        Create(StatusCodes.Status409Conflict, "concurrent-update", "Conflict", "Someone else changed this at the same time. Read it again and retry.");

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = TypeOf("validation"),
            Title = "The request is not valid",
            Detail = "See errors for each field.",
        });

    public static ProblemHttpResult Create(int status, string code, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: TypeOf(code));
}
