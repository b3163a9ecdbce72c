using System.Net;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// E-mail through the SendGrid client, on an <see cref="HttpClient"/> from <c>IHttpClientFactory</c> whose
/// resilience handler (<see cref="EmailSetup"/>) retries 429 after its <c>Retry-After</c>, 408,
/// 5xx and network faults a bounded number of times (the SendGrid client does not retry 429, and ignores its own
/// reliability settings when it is handed an HttpClient). What is still transient after that is thrown, so the queue
/// retries later and finally poisons; any other 4xx is a permanent rejection, returned as a value.
/// </summary>
/// <remarks>
/// SendGrid has no idempotency key. The key travels in <c>custom_args</c> so that a duplicate (a 202 lost on
/// the way back, then a redelivery) can at least be traced in SendGrid's activity feed.
/// </remarks>
public sealed class SendGridEmailSender(HttpClient http, IOptions<EmailOptions> options) : IEmailSender
{
    /// <summary>The name of the <see cref="HttpClient"/> registered for this sender.</summary>
    public const string HttpClientName = "SendGrid";

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        var client = new SendGridClient(http, new SendGridClientOptions { ApiKey = settings.SendGrid.ApiKey, Host = settings.SendGrid.BaseUrl });
        var response = await client.SendEmailAsync(Compose(message, new EmailAddress(settings.FromAddress, settings.FromName)), ct);
        if (response.IsSuccessStatusCode)
        {
            return new EmailSendResult.Sent(response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null);
        }

        var status = response.StatusCode;
        if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500)
        {
            throw new HttpRequestException($"SendGrid answered {(int)status} after its retries; the queue will retry the message.", null, status);
        }

        return new EmailSendResult.Rejected((int)status, await ReasonAsync(response, ct));
    }

    /// <summary>The v3 message: text/plain before text/html, the idempotency key as a custom argument.</summary>
    internal static SendGridMessage Compose(EmailMessage message, EmailAddress from)
    {
        var mail = new SendGridMessage
        {
            From = Address(from),
            Subject = message.Subject,
            PlainTextContent = message.TextBody,
            HtmlContent = message.HtmlBody,
        };
        mail.AddTo(Address(message.To));
        if (message.IdempotencyKey is { } key)
        {
            // Message-wide (the request's top-level custom_args), not per recipient.
            mail.CustomArgs = new Dictionary<string, string> { ["idempotency_key"] = key };
        }

        return mail;
    }

    private static SendGrid.Helpers.Mail.EmailAddress Address(EmailAddress address) =>
        new(address.Address, address.Name is { Length: > 0 } name ? name : null);

    private static async Task<string> ReasonAsync(Response response, CancellationToken ct)
    {
        // SendGrid explains a rejection in a small JSON errors document; bound it so a log line stays a line.
        var text = await response.Body.ReadAsStringAsync(ct);
        var reason = text.Length > 1000 ? text[..1000] : text;
        return reason.Length > 0 ? reason : $"{(int)response.StatusCode}";
    }
}
