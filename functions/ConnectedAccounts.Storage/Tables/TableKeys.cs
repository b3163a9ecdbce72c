namespace ConnectedAccounts.Storage.Tables;

/// <summary>
/// The one place that decides whether a string may be a partition or row key: Table Storage forbids
/// '/', '\', '#', '?' and control characters, and keys are at most 1 KiB.
/// </summary>
public static class TableKeys
{
    public const int MaxLength = 512; // characters; 1 KiB of UTF-16

    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string Require(string key, string paramName)
    {
        if (!IsValid(key))
        {
            throw new ArgumentException($"'{key}' is not a valid table key.", paramName);
        }

        return key;
    }
}
