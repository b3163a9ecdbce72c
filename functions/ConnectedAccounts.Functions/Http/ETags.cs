using ConnectedAccounts.Storage.Tables;
using Microsoft.Net.Http.Headers;

namespace ConnectedAccounts.Functions.Http;

/// <summary>HTTP ETag / If-Match over the storage ETag of the resource's row.</summary>
public static class ETags
{
    /// <summary>
    /// A strong entity-tag (RFC 9110): the store's version without its weak marker or quotes, quoted once. The store
    /// changes the version on every write, so it is exact enough for If-Match, which compares strongly.
    /// </summary>
    public static string Header(ETag etag)
    {
        var value = etag.Value.StartsWith("W/", StringComparison.Ordinal) ? etag.Value[2..] : etag.Value;
        return "\"" + value.Trim('"') + "\"";
    }

    public static void Set(HttpContext context, ETag etag) => context.Response.Headers.ETag = Header(etag);

    /// <summary>True when the request has no If-Match, or one that matches (or is "*").</summary>
    public static bool IfMatchHolds(HttpContext context, ETag current)
    {
        var values = context.Request.Headers[HeaderNames.IfMatch];
        if (values.Count == 0)
        {
            return true;
        }

        var expected = Header(current);
        foreach (var value in values)
        {
            foreach (var candidate in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (candidate == "*" || candidate == expected || candidate == "W/" + expected)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
