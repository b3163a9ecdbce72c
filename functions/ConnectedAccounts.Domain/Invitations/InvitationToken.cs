using System.Security.Cryptography;
using System.Text;

namespace ConnectedAccounts.Domain.Invitations;

/// <summary>
/// The secret in an invitation link: 32 bytes from the CSPRNG, base64url (43 characters). Only its SHA-256 is
/// stored, so a leaked table cannot be turned back into working links.
/// </summary>
public static class InvitationToken
{
    public const int Bytes = 32;
    public const int Length = 43;

    public static (string Token, string Hash) New()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(Bytes));
        return (token, Hash(token));
    }

    /// <summary>The stored key of a token; null when the text cannot be a token, so it never reaches a key.</summary>
    public static string? TryHash(string? token)
    {
        if (token is null || token.Length != Length)
        {
            return null;
        }

        foreach (var c in token)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'))
            {
                return null;
            }
        }

        return Hash(token);
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>E-mail addresses as invitations compare them: trimmed, lower-case; as keys, only their hash.</summary>
public static class InvitationEmail
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A key-safe name for an address (addresses may hold '/', '#' or '?', which keys may not).</summary>
    public static string Key(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(email))));
}

/// <summary>
/// A rolling-window counter: the times of the sends in the last window. Pure, so storage keeps the list in a row
/// and writes it back with the ETag it read.
/// </summary>
public static class RollingLimit
{
    /// <returns>The times to store after this send, or the wait until one more is allowed.</returns>
    public static (IReadOnlyList<long>? Times, TimeSpan RetryAfter) TryAdd(IReadOnlyList<long> times, DateTimeOffset now, TimeSpan window, int limit)
    {
        var live = times.Where(t => t > (now - window).UtcTicks).Order().ToList();
        if (live.Count >= limit)
        {
            var freeAt = new DateTimeOffset(live[live.Count - limit], TimeSpan.Zero) + window;
            return (null, freeAt - now);
        }

        live.Add(now.UtcTicks);
        return (live, TimeSpan.Zero);
    }
}
