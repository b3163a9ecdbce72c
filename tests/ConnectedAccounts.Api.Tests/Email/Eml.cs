using System.Text;
using System.Text.RegularExpressions;

namespace ConnectedAccounts.Api.Tests.Email;

/// <summary>Just enough of an RFC 5322 / MIME reader to check what the pickup sender writes.</summary>
internal sealed partial record Eml(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<Eml.Part> Parts, IReadOnlyList<string> RawHeaderLines)
{
    public static Eml Parse(string text)
    {
        Assert.DoesNotMatch(LoneLineFeed(), text);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var rawHeaderLines = text[..split].Split("\r\n");
        var headers = ReadHeaders(text[..split]);
        var body = text[(split + 4)..];

        var boundary = Regex.Match(headers["Content-Type"], "boundary=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(boundary);
        Assert.EndsWith($"\r\n--{boundary}--\r\n", body);
        var sections = body[..body.LastIndexOf($"--{boundary}--", StringComparison.Ordinal)]
            .Split($"--{boundary}\r\n")
            .Skip(1)
            .Select(section =>
            {
                var end = section.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                var partHeaders = ReadHeaders(section[..end]);
                Assert.Equal("base64", partHeaders["Content-Transfer-Encoding"]);
                var encoded = section[(end + 4)..];
                Assert.All(encoded.Split("\r\n"), line => Assert.True(line.Length <= 76));
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Replace("\r\n", "", StringComparison.Ordinal)));
                return new Part(partHeaders["Content-Type"], decoded);
            })
            .ToArray();
        return new Eml(headers, sections, rawHeaderLines);
    }

    /// <summary>Decodes RFC 2047 B-encoded words, as a mail client shows the header.</summary>
    public static string Decode(string header) =>
        EncodedWord().Replace(
            header.Replace("?=\r\n =?", "?==?", StringComparison.Ordinal),
            match => Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)));

    private static Dictionary<string, string> ReadHeaders(string block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in block.Split("\r\n"))
        {
            if (line.StartsWith(' ') && last is not null)
            {
                headers[last] += "\r\n" + line;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            last = line[..colon];
            Assert.False(headers.ContainsKey(last), $"Header {last} appears twice.");
            headers[last] = line[(colon + 1)..].TrimStart();
        }

        return headers;
    }

    [GeneratedRegex("(?<!\r)\n")]
    private static partial Regex LoneLineFeed();

    [GeneratedRegex(@"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=")]
    private static partial Regex EncodedWord();

    internal sealed record Part(string ContentType, string Body);
}
