using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ConnectedAccounts.Functions.Email;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Email;

public sealed class SendGridEmailSenderTests
{
    private static readonly EmailMessage Message = new(
        new EmailAddress("bea@bolt.test", "Bea Zoë"),
        "Alice of Acme asks to connect with your account",
        "Hello Bea Zoë,\nplain text\n",
        "<!DOCTYPE html><p>Hello Bea Zoë,</p>",
        "invitation-42:requested");

    [Fact]
    public async Task Sends_the_documented_v3_request_and_returns_the_message_id_on_202()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync();
        using var services = Services(sendGrid.BaseUrl);

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None);

        Assert.Equal(new EmailSendResult.Sent("sg-1"), result);
        var request = Assert.Single(sendGrid.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal("Bearer SG.test-key", request.Authorization);
        Assert.Equal("application/json", request.ContentType);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        var to = Assert.Single(Assert.Single(root.GetProperty("personalizations").EnumerateArray()).GetProperty("to").EnumerateArray());
        Assert.Equal("bea@bolt.test", to.GetProperty("email").GetString());
        Assert.Equal("Bea Zoë", to.GetProperty("name").GetString());
        Assert.Equal("no-reply@connected.test", root.GetProperty("from").GetProperty("email").GetString());
        Assert.Equal("Connected Accounts Test", root.GetProperty("from").GetProperty("name").GetString());
        Assert.Equal(Message.Subject, root.GetProperty("subject").GetString());
        var content = root.GetProperty("content").EnumerateArray().ToArray();
        Assert.Equal(2, content.Length);
        Assert.Equal("text/plain", content[0].GetProperty("type").GetString());
        Assert.Equal(Message.TextBody, content[0].GetProperty("value").GetString());
        Assert.Equal("text/html", content[1].GetProperty("type").GetString());
        Assert.Equal(Message.HtmlBody, content[1].GetProperty("value").GetString());
        Assert.Equal("invitation-42:requested", root.GetProperty("custom_args").GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task A_recipient_without_a_name_is_sent_without_one()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync();
        using var services = Services(sendGrid.BaseUrl);

        await services.GetRequiredService<IEmailSender>().SendAsync(
            Message with { To = new EmailAddress("bea@bolt.test", null) }, CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(sendGrid.Requests).Body);
        var to = body.RootElement.GetProperty("personalizations")[0].GetProperty("to")[0];
        Assert.False(to.TryGetProperty("name", out _));
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(new FakeSendGrid.Answer(429, RetryAfter: "1"));
        using var services = Services(sendGrid.BaseUrl, ("Email:SendGrid:MaxRetryDelay", "00:00:05"));

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None);

        Assert.IsType<EmailSendResult.Sent>(result);
        var requests = sendGrid.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(requests[0].Body, requests[1].Body);
        // The back-off base is 1 ms here, so only Retry-After explains a wait of about a second.
        Assert.InRange(requests[1].ReceivedAt - requests[0].ReceivedAt, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_bound_is_cut_to_the_bound()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(new FakeSendGrid.Answer(429, RetryAfter: "3600"));
        using var services = Services(sendGrid.BaseUrl, ("Email:SendGrid:MaxRetryDelay", "00:00:00.050"));

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None);

        Assert.IsType<EmailSendResult.Sent>(result);
        Assert.Equal(2, sendGrid.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_SendGrid_accepts()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(new FakeSendGrid.Answer(500), new FakeSendGrid.Answer(503));
        using var services = Services(sendGrid.BaseUrl);

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None);

        Assert.Equal(new EmailSendResult.Sent("sg-3"), result);
        Assert.Equal(3, sendGrid.Requests.Count);
    }

    [Fact]
    public async Task A_persistent_server_error_throws_after_the_bounded_attempts_so_the_queue_retries()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync(
            Enumerable.Repeat(new FakeSendGrid.Answer(500), 10).ToArray());
        using var services = Services(sendGrid.BaseUrl, ("Email:SendGrid:MaxAttempts", "3"));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        Assert.Equal(3, sendGrid.Requests.Count);
    }

    [Fact]
    public async Task A_bad_request_is_a_permanent_rejection_and_is_not_retried()
    {
        const string Errors = """{"errors":[{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email"}]}""";
        await using var sendGrid = await FakeSendGrid.StartAsync(new FakeSendGrid.Answer(400, Body: Errors));
        using var services = Services(sendGrid.BaseUrl);

        var result = await services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None);

        var rejected = Assert.IsType<EmailSendResult.Rejected>(result);
        Assert.Equal(400, rejected.StatusCode);
        Assert.Contains("Does not contain a valid address.", rejected.Reason);
        Assert.Single(sendGrid.Requests);
    }

    [Fact]
    public async Task An_unreachable_server_throws_after_the_bounded_attempts()
    {
        using var services = Services($"http://127.0.0.1:{UnusedPort()}", ("Email:SendGrid:MaxAttempts", "2"));

        await Assert.ThrowsAsync<HttpRequestException>(
            () => services.GetRequiredService<IEmailSender>().SendAsync(Message, CancellationToken.None));
    }

    private static ServiceProvider Services(string baseUrl, params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Provider"] = "SendGrid",
            ["Email:FromAddress"] = "no-reply@connected.test",
            ["Email:FromName"] = "Connected Accounts Test",
            ["Email:SendGrid:ApiKey"] = "SG.test-key",
            ["Email:SendGrid:BaseUrl"] = baseUrl,
            ["Email:SendGrid:RetryBaseDelay"] = "00:00:00.001",
            ["Email:SendGrid:Timeout"] = "00:00:10",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return EmailTestHost.Build(settings);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
