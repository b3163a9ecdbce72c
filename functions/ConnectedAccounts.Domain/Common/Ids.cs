using System.Security.Cryptography;

namespace ConnectedAccounts.Domain.Common;

/// <summary>
/// Opaque identifiers: a type prefix and 20 random base32 characters (100 bits). They contain only [a-z0-9.],
/// so they are valid table keys and URL segments as they are.
/// </summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New(string prefix) => prefix + RandomPart();

    public static string NewAccountId() => New("acc");

    public static string NewOrganisationId() => New("org");

    /// <summary>A connection id carries its client account id, so the canonical row can be found from the id alone.</summary>
    public static string NewConnectionId(string clientAccountId) => New("con") + "." + clientAccountId;

    /// <summary>
    /// The client account id inside a connection id, or null when the string is not a well-formed connection id.
    /// The whole id is checked, not only the part after the dot: it becomes a table key as it is.
    /// </summary>
    public static string? ClientAccountIdOf(string connectionId)
    {
        if (!IsWellFormed(connectionId) || !connectionId.StartsWith("con", StringComparison.Ordinal))
        {
            return null;
        }

        var dot = connectionId.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < connectionId.Length - 1 ? connectionId[(dot + 1)..] : null;
    }

    /// <summary>Whether a string from a client could be an id: short, and only the characters ids are made of.</summary>
    public static bool IsWellFormed(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 100)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string RandomPart()
    {
        Span<char> chars = stackalloc char[20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }
}
