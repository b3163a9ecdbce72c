using Microsoft.Extensions.Options;
using MimeKit;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The embedded sender: one RFC 5322 <c>.eml</c> file per message in <see cref="EmailOptions.PickupDirectory"/>,
/// which any mail client opens. The file name derives from the idempotency key, so a message handled twice
/// leaves one file, and the file appears atomically (written aside, then moved) so a reader never sees half.
/// </summary>
public sealed class PickupFolderEmailSender(IOptions<EmailOptions> options, TimeProvider time) : IEmailSender
{
    /// <summary>The file a message with <paramref name="idempotencyKey"/> is written to, relative to the folder.</summary>
    public static string FileNameFor(string idempotencyKey) => $"{EmailQueue.KeyHash(idempotencyKey)}.eml";

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

        var mime = Compose(message, new EmailAddress(options.Value.FromAddress, options.Value.FromName), $"{EmailQueue.KeyHash(key)}@connected-accounts.local", time.GetUtcNow());
        var temporary = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
        try
        {
            // RFC 5322 line ends (CRLF) whatever the platform's are.
            await mime.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, temporary, ct);
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

    /// <summary>A multipart/alternative message (text, then HTML), UTF-8 bodies in base64, through MimeKit.</summary>
    private static MimeMessage Compose(EmailMessage message, EmailAddress from, string messageId, DateTimeOffset date)
    {
        var body = new BodyBuilder { TextBody = message.TextBody.ReplaceLineEndings("\r\n"), HtmlBody = message.HtmlBody.ReplaceLineEndings("\r\n") }.ToMessageBody();
        foreach (var part in body is Multipart parts ? parts.OfType<TextPart>() : [(TextPart)body])
        {
            part.ContentTransferEncoding = ContentEncoding.Base64;
        }

        var mime = new MimeMessage { Subject = message.Subject, Date = date, MessageId = messageId, Body = body };
        mime.From.Add(new MailboxAddress(from.Name, from.Address));
        mime.To.Add(new MailboxAddress(message.To.Name, message.To.Address));
        return mime;
    }
}
