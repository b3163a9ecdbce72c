using ConnectedAccounts.Functions.Email;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Api.Tests.Email;

/// <summary>The written files are read back with MimeKit, as a mail client reads them.</summary>
public sealed class PickupFolderEmailSenderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 5, 4, 9, 8, 7, TimeSpan.Zero);
    private readonly TempDirectory folder = new();
    private readonly ServiceProvider services;

    public PickupFolderEmailSenderTests()
    {
        services = EmailTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Email:PickupDirectory"] = folder.Path,
                ["Email:FromAddress"] = "no-reply@connected.test",
                ["Email:FromName"] = "Connected Accounts",
            },
            new FakeTimeProvider(Now));
    }

    private IEmailSender Sender => services.GetRequiredService<IEmailSender>();

    public void Dispose()
    {
        services.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Writes_a_multipart_alternative_eml_whose_bodies_decode_to_the_rendered_text()
    {
        var message = EmailRenderer.Render(new MemberInvitedEmail(
            new EmailAddress("zoe@bolt.test", "Zoë Müller"), "member-invitation-7", "Agence Été", "Alice",
            "Member", EmailSamples.Link, EmailSamples.Expiry));

        var result = await Sender.SendAsync(message, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(folder.Path));
        Assert.Equal(new EmailSendResult.Sent(Path.GetFileName(file)), result);
        Assert.EndsWith(".eml", file);
        var mime = await MimeMessage.LoadAsync(file);

        Assert.Equal("1.0", mime.Headers[HeaderId.MimeVersion]);
        Assert.Equal(Now, mime.Date);
        Assert.Matches("^[0-9a-f]{32}@connected-accounts.local$", mime.MessageId);
        Assert.Equal(("Connected Accounts", "no-reply@connected.test"), Mailbox(mime.From));
        Assert.Equal(("Zoë Müller", "zoe@bolt.test"), Mailbox(mime.To));
        Assert.Equal(message.Subject, mime.Subject);
        Assert.IsType<MultipartAlternative>(mime.Body);
        await AssertWrittenAsMailAsync(file);

        Assert.Collection(
            mime.BodyParts.OfType<TextPart>(),
            text =>
            {
                Assert.Equal(("text/plain", "utf-8", ContentEncoding.Base64), (text.ContentType.MimeType, text.ContentType.Charset, text.ContentTransferEncoding));
                // MimeKit hands the decoded text back with the platform's line ends.
                Assert.Equal(message.TextBody.ReplaceLineEndings(), text.Text.ReplaceLineEndings());
            },
            html =>
            {
                Assert.Equal(("text/html", "utf-8", ContentEncoding.Base64), (html.ContentType.MimeType, html.ContentType.Charset, html.ContentTransferEncoding));
                Assert.Equal(message.HtmlBody.ReplaceLineEndings(), html.Text.ReplaceLineEndings());
            });
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_leaves_one_file_and_no_temporary_files()
    {
        var message = new EmailMessage(new EmailAddress("a@b.test", null), "Hello", "text", "<p>html</p>", "key-1");

        var first = await Sender.SendAsync(message, CancellationToken.None);
        var second = await Sender.SendAsync(message with { Subject = "Hello again" }, CancellationToken.None);

        Assert.Equal(first, second);
        var file = Assert.Single(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
        Assert.Equal(PickupFolderEmailSender.FileNameFor("key-1"), Path.GetFileName(file));
        Assert.Equal("Hello", (await MimeMessage.LoadAsync(file)).Subject);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_message_leave_one_file()
    {
        var message = new EmailMessage(new EmailAddress("a@b.test", null), "Hello", "text", "<p>html</p>", "key-race");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Sender.SendAsync(message, CancellationToken.None))));

        Assert.Single(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Different_keys_leave_different_files()
    {
        var message = new EmailMessage(new EmailAddress("a@b.test", null), "Hello", "text", "<p>html</p>", "key-a");

        await Sender.SendAsync(message, CancellationToken.None);
        await Sender.SendAsync(message with { IdempotencyKey = "key-b" }, CancellationToken.None);

        Assert.Equal(2, Directory.GetFiles(folder.Path).Length);
    }

    [Fact]
    public async Task A_subject_with_line_breaks_cannot_inject_a_header()
    {
        var message = new EmailMessage(
            new EmailAddress("a@b.test", "Eve\r\nBcc: victim@x.test"), "Hi\r\nBcc: victim@x.test", "text", "<p>html</p>", "key-eve");

        await Sender.SendAsync(message, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(folder.Path));
        var mime = await MimeMessage.LoadAsync(file);
        Assert.Empty(mime.Bcc);
        Assert.False(mime.Headers.Contains(HeaderId.Bcc));
        Assert.Equal(("a@b.test", 1), (Mailbox(mime.To).Address, mime.To.Count));
        await AssertWrittenAsMailAsync(file);
    }

    [Fact]
    public async Task A_long_non_ascii_subject_is_folded_into_encoded_words_and_reads_back_whole()
    {
        var subject = string.Join(' ', Enumerable.Repeat("Réunion über Straße ✓", 10));
        var message = new EmailMessage(new EmailAddress("a@b.test", null), subject, "text", "<p>html</p>", "key-long");

        await Sender.SendAsync(message, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(folder.Path));
        Assert.Equal(subject, (await MimeMessage.LoadAsync(file)).Subject);
        await AssertWrittenAsMailAsync(file);
    }

    private static (string? Name, string Address) Mailbox(InternetAddressList list)
    {
        var mailbox = Assert.Single(list.Mailboxes);
        return (mailbox.Name, mailbox.Address);
    }

    /// <summary>
    /// RFC 5322 on the wire: CRLF line ends only, and header lines within its limit of 998 characters (MimeKit folds
    /// at 78 where it can; an encoded word of a long non-ASCII subject may run a little past that, which the RFC allows).
    /// </summary>
    private static async Task AssertWrittenAsMailAsync(string file)
    {
        var text = await File.ReadAllTextAsync(file);
        Assert.DoesNotMatch("(?<!\r)\n", text);
        var headers = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        Assert.All(headers, line => Assert.True(line.Length <= 998, line));
        Assert.True(headers.Length > 1 && headers.Skip(1).Any(line => line.StartsWith(' ')) || headers.All(line => line.Length <= 78), "A long header was not folded.");
    }
}
