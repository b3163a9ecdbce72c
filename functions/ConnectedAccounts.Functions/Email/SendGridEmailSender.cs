using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// A thin client for SendGrid's v3 <c>POST /v3/mail/send</c> (the SendGrid package does not restore here).
/// 429 (after its <c>Retry-After</c>), 408 and 5xx answers and network faults are retried with exponential
/// back-off a bounded number of times and then thrown, so the queue retries later and finally poisons; any other
/// 4xx is a permanent rejection, returned as a value.
/// </summary>
/// <remarks>
/// SendGrid has no idempotency key. The key travels in <c>custom_args</c> so that a duplicate (a 202 lost on
/// the way back, then a redelivery) can at least be traced in SendGrid's activity feed.
/// </remarks>
public sealed class SendGridEmailSender(
    HttpClient http,
    IOptions<EmailOptions> options,
    TimeProvider time,
    ILogger<SendGridEmailSender> log) : IEmailSender
{
    /// <summary>The name of the <see cref="HttpClient"/> registered for this sender.</summary>
    public const string HttpClientName = "SendGrid";

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken ct)
    {
        var settings = options.Value.SendGrid;
        var body = RequestBody(message, new EmailAddress(options.Value.FromAddress, options.Value.FromName));
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan delay;
            Exception failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v3/mail/send");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    var id = response.Headers.TryGetValues("X-Message-Id", out var ids) ? ids.FirstOrDefault() : null;
                    return new EmailSendResult.Sent(id);
                }

                var status = response.StatusCode;
                if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout) && (int)status < 500)
                {
                    return new EmailSendResult.Rejected((int)status, await ReasonAsync(response, ct));
                }

                delay = status == HttpStatusCode.TooManyRequests ? RetryAfter(response) ?? Backoff(attempt) : Backoff(attempt);
                failure = new HttpRequestException($"SendGrid answered {(int)status} {response.ReasonPhrase}.", null, status);
            }
            catch (HttpRequestException ex)
            {
                delay = Backoff(attempt);
                failure = ex;
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                // HttpClient reports its own timeout as a cancellation the caller did not ask for.
                delay = Backoff(attempt);
                failure = ex;
            }

            if (attempt >= settings.MaxAttempts)
            {
                throw new HttpRequestException(
                    $"SendGrid did not accept the message after {attempt} attempts; the queue will retry it.",
                    failure,
                    (failure as HttpRequestException)?.StatusCode);
            }

            delay = delay < settings.MaxRetryDelay ? delay : settings.MaxRetryDelay;
            log.LogWarning(
                "SendGrid attempt {Attempt} of {MaxAttempts} failed ({Failure}); retrying in {Delay}.",
                attempt,
                settings.MaxAttempts,
                failure.Message,
                delay);
            await Task.Delay(delay, time, ct);
        }

        TimeSpan Backoff(int attempt) => settings.RetryBaseDelay * Math.Pow(2, attempt - 1);

        TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>The v3 request body; text/plain must precede text/html in <c>content</c>.</summary>
    internal static byte[] RequestBody(EmailMessage message, EmailAddress from)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("personalizations");
            json.WriteStartObject();
            json.WriteStartArray("to");
            WriteAddress(json, message.To);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();

            json.WritePropertyName("from");
            WriteAddress(json, from);
            json.WriteString("subject", message.Subject);

            json.WriteStartArray("content");
            WriteContent(json, "text/plain", message.TextBody);
            WriteContent(json, "text/html", message.HtmlBody);
            json.WriteEndArray();

            if (message.IdempotencyKey is { } key)
            {
                json.WriteStartObject("custom_args");
                json.WriteString("idempotency_key", key);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteAddress(Utf8JsonWriter json, EmailAddress address)
    {
        json.WriteStartObject();
        json.WriteString("email", address.Address);
        if (address.Name is { Length: > 0 } name)
        {
            json.WriteString("name", name);
        }

        json.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter json, string type, string value)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // SendGrid explains a rejection in a small JSON errors document; bound it so a log line stays a line.
        var text = await response.Content.ReadAsStringAsync(ct);
        var reason = text.Length > 1000 ? text[..1000] : text;
        return reason.Length > 0 ? reason : $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }
}
