using global::Azure;
using global::Azure.Core;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// The storage services name every failure in the <c>x-ms-error-code</c> header (<c>QueueNotFound</c>,
/// <c>MessageNotFound</c> …). Azure.Core's default parser reads only JSON error bodies, and the Queue service answers
/// in XML, so this parser puts the header into <see cref="RequestFailedException.ErrorCode"/>, as the official
/// storage clients do.
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static readonly StorageErrorParser Instance = new();

    public static RequestFailedException Failure(Response response) => new(response, null, Instance);

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        error = response.Headers.TryGetValue("x-ms-error-code", out var code) ? new ResponseError(code, response.ReasonPhrase) : null;
        return error is not null;
    }
}
