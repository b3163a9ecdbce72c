using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectedAccounts.Functions.Identity;

/// <summary>
/// Validates a bearer token in full once, then reuses that result for the same token text until the token
/// expires or <see cref="MaxReuse"/> has passed, whichever is first — so a client sending the same token with
/// every call does not pay for parsing it and checking its signature every time. Only successful validations are
/// kept, under the exact token text: any other text, one changed byte included, is validated in full. This says
/// only who the caller is; what they may do is still decided from storage on every request.
/// </summary>
public sealed class ReusingTokenHandler : JsonWebTokenHandler
{
    /// <summary>How long a result is trusted at most, so a rotated-out signing key stops counting soon.</summary>
    public static readonly TimeSpan MaxReuse = TimeSpan.FromMinutes(5);

    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTimeOffset Until)> _validated = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ReusingTokenHandler(TimeProvider time)
    {
        _time = time;

        // Claims keep the names the token gives them (sub, email, name).
        MapInboundClaims = false;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow();
        if (token is not null && _validated.TryGetValue(token, out var known))
        {
            if (now < known.Until)
            {
                return known.Result;
            }

            _validated.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (token is not null && result.IsValid && result.SecurityToken is JsonWebToken { ValidTo: var validTo } && validTo != DateTime.MinValue)
        {
            if (_validated.Count >= MaxEntries)
            {
                _validated.Clear();
            }

            var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
            _validated[token] = (result, expires < now + MaxReuse ? expires : now + MaxReuse);
        }

        return result;
    }
}
