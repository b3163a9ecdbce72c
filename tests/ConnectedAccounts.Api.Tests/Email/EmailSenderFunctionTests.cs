using System.Text.Json;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Api.Tests.Email;

public sealed class EmailSenderFunctionTests
{
    private static readonly ClientAccountCreatedEmail Request = new(
        new EmailAddress("owner@bolt.test", "Bea"), "client-account-9:created", "Acme Agency", "Bolt Bikes",
        EmailSamples.Link, EmailSamples.Expiry);

    [Fact]
    public async Task A_queued_request_is_rendered_and_written_once_however_often_it_is_delivered()
    {
        using var folder = new TempDirectory();
        using var services = EmailTestHost.Build(new Dictionary<string, string?> { ["Email:PickupDirectory"] = folder.Path });
        var function = services.GetRequiredService<EmailSenderFunction>();
        var text = EmailQueue.ToMessageText(Request);

        await function.HandleAsync(text, CancellationToken.None);
        await function.HandleAsync(text, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(folder.Path));
        Assert.Equal(PickupFolderEmailSender.FileNameFor(Request.IdempotencyKey), Path.GetFileName(file));
        var body = (await MimeKit.MimeMessage.LoadAsync(file)).TextBody;
        Assert.Contains("Acme Agency created the client account Bolt Bikes", body);
        Assert.Contains(EmailSamples.ExpiryText, body);
    }

    [Fact]
    public async Task A_permanent_rejection_completes_the_message()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(new FakeSendGrid.Answer(400, Body: """{"errors":[]}"""));
        using var services = SendGridServices(sendGrid.BaseUrl);

        await services.GetRequiredService<EmailSenderFunction>().HandleAsync(EmailQueue.ToMessageText(Request), CancellationToken.None);

        Assert.Single(sendGrid.Requests);
    }

    [Fact]
    public async Task A_message_delivered_twice_reaches_SendGrid_once()
    {
        // A queue delivers a message again after a lost answer or a redelivery; SendGrid has no idempotency key.
        await using var sendGrid = await FakeSendGrid.StartAsync();
        using var services = SendGridServices(sendGrid.BaseUrl);
        var function = services.GetRequiredService<EmailSenderFunction>();

        await function.HandleAsync(EmailQueue.ToMessageText(Request), CancellationToken.None);
        await function.HandleAsync(EmailQueue.ToMessageText(Request), CancellationToken.None);

        Assert.Single(sendGrid.Requests);
    }

    [Fact]
    public async Task The_record_of_a_sent_email_stops_redeliveries_for_its_retention_and_is_swept_after_it()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        using var services = SendGridServices(sendGrid.BaseUrl, clock);
        var (function, records) = (services.GetRequiredService<EmailSenderFunction>(), services.GetRequiredService<SentEmailRecords>());
        var table = services.GetRequiredService<ITableServiceClient>().GetTableClient(Keys.DataTable);
        var text = EmailQueue.ToMessageText(Request);

        await function.HandleAsync(text, CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await records.SweepAsync(CancellationToken.None));
        await function.HandleAsync(text, CancellationToken.None);
        Assert.Single(sendGrid.Requests);

        // Email:SentRecordRetention is 30 days by default: past it, the record and its index row are gone.
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await records.SweepAsync(CancellationToken.None));
        Assert.Empty(await table.QueryAllAsync(new TableQuery { PartitionKey = Keys.SentEmailsPartition }, CancellationToken.None).ToListAsync());
        Assert.Empty(await table.QueryAllAsync(new TableQuery { PartitionKey = Keys.SentEmailsDuePartition }, CancellationToken.None).ToListAsync());
        Assert.Equal(0, await records.SweepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_transient_failure_is_thrown_so_the_queue_retries_and_finally_poisons()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(Enumerable.Repeat(new FakeSendGrid.Answer(503), 5).ToArray());
        using var services = SendGridServices(sendGrid.BaseUrl);

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            services.GetRequiredService<EmailSenderFunction>().HandleAsync(EmailQueue.ToMessageText(Request), CancellationToken.None));
    }

    [Fact]
    public async Task A_message_that_is_not_an_email_request_is_thrown_not_swallowed()
    {
        using var folder = new TempDirectory();
        using var services = EmailTestHost.Build(new Dictionary<string, string?> { ["Email:PickupDirectory"] = folder.Path });

        await Assert.ThrowsAsync<JsonException>(() =>
            services.GetRequiredService<EmailSenderFunction>().HandleAsync("{\"hello\":1}", CancellationToken.None));
        Assert.False(Directory.Exists(folder.Path));
    }

    private static ServiceProvider SendGridServices(string baseUrl, TimeProvider? time = null) => EmailTestHost.Build(new Dictionary<string, string?>
    {
        ["Email:Provider"] = "SendGrid",
        ["Email:SendGrid:ApiKey"] = "SG.key",
        ["Email:SendGrid:BaseUrl"] = baseUrl,
        ["Email:SendGrid:MaxAttempts"] = "2",
        ["Email:SendGrid:RetryBaseDelay"] = "00:00:00.001",
    }, time);
}
