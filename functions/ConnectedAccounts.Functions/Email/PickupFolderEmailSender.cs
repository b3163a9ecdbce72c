using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The embedded sender: one RFC 5322 <c>.eml</c> file per message in <see cref="EmailOptions.PickupDirectory"/>,
/// which any mail client opens. The file name derives from the idempotency key, so a message handled twice
/// leaves one file, and the file appears atomically (written aside, then moved) so a reader never sees half.
/// </summary>
public sealed class PickupFolderEmailSender(IOptions<EmailOptions> options, TimeProvider time) : IEmailSender
{
    /// <summary>The file a message with <paramref name="idempotencyKey"/> is written to, relative to the folder.</summary>
    public static string FileNameFor(string idempotencyKey) => $"{KeyHash(idempotencyKey)}.eml";

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken ct)
    {
        var directory = Path.GetFullPath(options.Value.PickupDirectory
            ?? throw new InvalidOperationException("Email:PickupDirectory was not resolved."));
        Directory.CreateDirectory(directory);

        var key = message.IdempotencyKey ?? Guid.NewGuid().ToString("N");
        var fileName = FileNameFor(key);
        var path = Path.Combine(directory, fileName);
        if (File.Exists(path))
        {
            return new EmailSendResult.Sent(fileName);
        }

        var from = new EmailAddress(options.Value.FromAddress, options.Value.FromName);
        var content = EmlWriter.Write(message, from, $"<{KeyHash(key)}@connected-accounts.local>", time.GetUtcNow());
        var temporary = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, content, ct);
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another delivery of the same message won the race: its file is the one we meant to write.
        }
        finally
        {
            File.Delete(temporary);
        }

        return new EmailSendResult.Sent(fileName);
    }

    private static string KeyHash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
}

/// <summary>Writes a multipart/alternative message (text, then HTML), UTF-8, base64 bodies, CRLF line ends.</summary>
internal static class EmlWriter
{
    private const string Crlf = "\r\n";

    public static byte[] Write(EmailMessage message, EmailAddress from, string messageId, DateTimeOffset date)
    {
        var boundary = $"=_alt_{Guid.NewGuid():N}";
        var eml = new StringBuilder()
            .Append("MIME-Version: 1.0").Append(Crlf)
            .Append("Date: ").Append(date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append(Crlf)
            .Append("Message-ID: ").Append(messageId).Append(Crlf)
            .Append("From: ").Append(Mailbox(from)).Append(Crlf)
            .Append("To: ").Append(Mailbox(message.To)).Append(Crlf)
            .Append("Subject: ").Append(HeaderText(message.Subject)).Append(Crlf)
            .Append("Content-Type: multipart/alternative;").Append(Crlf).Append(" boundary=\"").Append(boundary).Append('"').Append(Crlf)
            .Append(Crlf)
            .Append("This is a multi-part message in MIME format.").Append(Crlf);
        AppendPart(eml, boundary, "text/plain", message.TextBody);
        AppendPart(eml, boundary, "text/html", message.HtmlBody);
        eml.Append("--").Append(boundary).Append("--").Append(Crlf);
        return Encoding.ASCII.GetBytes(eml.ToString());
    }

    private static void AppendPart(StringBuilder eml, string boundary, string mediaType, string body)
    {
        // Text parts travel in canonical form, CRLF line breaks, before they are encoded (RFC 2045 6.8).
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(body.ReplaceLineEndings(Crlf)));
        eml.Append("--").Append(boundary).Append(Crlf)
            .Append("Content-Type: ").Append(mediaType).Append("; charset=utf-8").Append(Crlf)
            .Append("Content-Transfer-Encoding: base64").Append(Crlf)
            .Append(Crlf);
        for (var i = 0; i < base64.Length; i += 76)
        {
            eml.Append(base64.AsSpan(i, Math.Min(76, base64.Length - i))).Append(Crlf);
        }
    }

    private static string Mailbox(EmailAddress address)
    {
        if (address.Name is not { Length: > 0 } name)
        {
            return $"<{address.Address}>";
        }

        // Fold before the address when the phrase's last line would push the header past 78 characters.
        var phrase = HeaderText(name);
        var lastLine = phrase[(phrase.LastIndexOf('\n') + 1)..];
        var separator = lastLine.Length + address.Address.Length > 60 ? Crlf + " " : " ";
        return $"{phrase}{separator}<{address.Address}>";
    }

    /// <summary>
    /// Plain printable ASCII words pass as they are; anything else (non-ASCII, line breaks that would inject a
    /// header, the specials of an address phrase) becomes RFC 2047 encoded-words of at most 75 characters.
    /// </summary>
    private static string HeaderText(string value)
    {
        if (value.Length <= 60 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '!'))
        {
            return value;
        }

        var words = new List<string>();
        var bytes = new List<byte>();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(utf8);
            // 36 bytes become 48 base64 characters, a 60-character word: within RFC 2047's 75, and short enough
            // that "Subject: " or "To: " plus the first word keeps the line within 78.
            if (bytes.Count + length > 36)
            {
                words.Add(EncodedWord(bytes));
                bytes.Clear();
            }

            bytes.AddRange(utf8[..length]);
        }

        if (bytes.Count > 0 || words.Count == 0)
        {
            words.Add(EncodedWord(bytes));
        }

        return string.Join(Crlf + " ", words);
    }

    private static string EncodedWord(List<byte> bytes) => $"=?utf-8?B?{Convert.ToBase64String(bytes.ToArray())}?=";
}
