using System.Globalization;
using ConnectedAccounts.Functions.Email;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Email;

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
            new FixedTimeProvider(Now));
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
        var message = services.GetRequiredService<EmailRenderer>().Render(new MemberInvitedEmail(
            new EmailAddress("zoe@bolt.test", "Zoë Müller"), "member-invitation-7", "Agence Été", "Alice",
            "Member", EmailSamples.Link, EmailSamples.Expiry));

        var result = await Sender.SendAsync(message, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(folder.Path));
        Assert.Equal(new EmailSendResult.Sent(Path.GetFileName(file)), result);
        Assert.EndsWith(".eml", file);
        var eml = Eml.Parse(await File.ReadAllTextAsync(file));

        Assert.Equal("1.0", eml.Headers["MIME-Version"]);
        Assert.Equal(Now, DateTimeOffset.ParseExact(eml.Headers["Date"], "ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Assert.Matches("^<[0-9a-f]{32}@connected-accounts.local>$", eml.Headers["Message-ID"]);
        Assert.Equal("Connected Accounts <no-reply@connected.test>", eml.Headers["From"]);
        Assert.Equal("Zoë Müller <zoe@bolt.test>", Eml.Decode(eml.Headers["To"]));
        Assert.Equal(message.Subject, Eml.Decode(eml.Headers["Subject"]));
        Assert.StartsWith("multipart/alternative;", eml.Headers["Content-Type"]);
        Assert.All(eml.RawHeaderLines, line => Assert.True(line.Length <= 78, line));

        Assert.Collection(
            eml.Parts,
            text =>
            {
                Assert.Equal("text/plain; charset=utf-8", text.ContentType);
                Assert.Equal(message.TextBody.ReplaceLineEndings("\r\n"), text.Body);
            },
            html =>
            {
                Assert.Equal("text/html; charset=utf-8", html.ContentType);
                Assert.Equal(message.HtmlBody.ReplaceLineEndings("\r\n"), html.Body);
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
        Assert.Equal("Hello", Eml.Parse(await File.ReadAllTextAsync(file)).Headers["Subject"]);
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

        var eml = Eml.Parse(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(folder.Path))));
        Assert.False(eml.Headers.ContainsKey("Bcc"));
        Assert.Equal("Hi\r\nBcc: victim@x.test", Eml.Decode(eml.Headers["Subject"]));
    }

    [Fact]
    public async Task A_long_non_ascii_subject_is_folded_into_encoded_words()
    {
        var subject = string.Concat(Enumerable.Repeat("Réunion über Straße ✓ ", 10));
        var message = new EmailMessage(new EmailAddress("a@b.test", null), subject, "text", "<p>html</p>", "key-long");

        await Sender.SendAsync(message, CancellationToken.None);

        var eml = Eml.Parse(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(folder.Path))));
        Assert.Equal(subject, Eml.Decode(eml.Headers["Subject"]));
        Assert.All(eml.RawHeaderLines, line => Assert.True(line.Length <= 78, line));
    }
}
