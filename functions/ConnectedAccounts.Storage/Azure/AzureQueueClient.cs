using System.Globalization;
using System.Text;
using System.Xml.Linq;
using ConnectedAccounts.Storage.Queues;
using global::Azure;
using global::Azure.Core;
using global::Azure.Core.Pipeline;

namespace ConnectedAccounts.Storage.Azure;

/// <summary>
/// One queue over the Queue service REST API (XML). Message text is sent base64-encoded, which is what the
/// Functions queue trigger expects by default, and decoded again on receive.
/// </summary>
public sealed class AzureQueueClient(Uri endpoint, string name, HttpPipeline pipeline) : IQueueClient
{
    /// <summary>The service's cap on visibility timeouts and delays.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    public string Name => name;

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, string.Empty);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status is not (201 or 204 or 409))
        {
            throw StorageErrorParser.Failure(response);
        }
    }

    /// <summary>Deletes the queue and its messages; false when there was no such queue.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, string.Empty);
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => true,
            404 => false,
            _ => throw StorageErrorParser.Failure(response),
        };
    }

    public async Task SendMessageAsync(string text, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var message = CreateMessage(RequestMethod.Post, "/messages");
        if (visibilityDelay is { } delay)
        {
            message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(delay, minimum: 0), escapeValue: true);
        }

        SetMessageBody(message.Request, text);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 201)
        {
            throw StorageErrorParser.Failure(response);
        }
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        using var message = CreateMessage(RequestMethod.Get, "/messages");
        message.Request.Uri.AppendQuery("numofmessages", maxMessages.ToString(CultureInfo.InvariantCulture), escapeValue: true);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout, minimum: 1), escapeValue: true);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200)
        {
            throw StorageErrorParser.Failure(response);
        }

        var document = XDocument.Parse(response.Content.ToString());
        return document.Root!.Elements("QueueMessage").Select(m => new QueueMessage(
                MessageId: (string)m.Element("MessageId")!,
                PopReceipt: (string)m.Element("PopReceipt")!,
                Text: Decode((string?)m.Element("MessageText") ?? string.Empty),
                DequeueCount: long.Parse((string)m.Element("DequeueCount")!, CultureInfo.InvariantCulture),
                InsertedOn: ParseDate((string)m.Element("InsertionTime")!),
                NextVisibleOn: ParseDate((string)m.Element("TimeNextVisible")!)))
            .ToList();
    }

    public async Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete, MessagePath(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => true,
            // 404: the message is gone or was received again; 400: the receipt is not one this queue issued.
            404 or 400 => false,
            _ => throw StorageErrorParser.Failure(response),
        };
    }

    /// <remarks>
    /// Sent without a message body: since service version 2011-08-18 that changes only the visibility and keeps
    /// the stored text, so the caller does not have to send the text back (and cannot overwrite it by accident).
    /// </remarks>
    public async Task<string?> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, MessagePath(messageId));
        message.Request.Uri.AppendQuery("popreceipt", popReceipt, escapeValue: true);
        message.Request.Uri.AppendQuery("visibilitytimeout", Seconds(visibilityTimeout, minimum: 0), escapeValue: true);
        var response = await SendAsync(message, cancellationToken);
        return response.Status switch
        {
            204 => response.Headers.TryGetValue("x-ms-popreceipt", out var receipt)
                ? receipt
                : throw new RequestFailedException(response.Status, "The update response carries no x-ms-popreceipt."),
            404 or 400 => null,
            _ => throw StorageErrorParser.Failure(response),
        };
    }

    public async Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, string.Empty);
        message.Request.Uri.AppendQuery("comp", "metadata", escapeValue: true);
        var response = await SendAsync(message, cancellationToken);
        if (response.Status != 200 || !response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count))
        {
            throw StorageErrorParser.Failure(response);
        }

        return int.Parse(count, CultureInfo.InvariantCulture);
    }

    private static string MessagePath(string messageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return "/messages/" + Uri.EscapeDataString(messageId);
    }

    private static void SetMessageBody(Request request, string text)
    {
        var xml = new XElement("QueueMessage", new XElement("MessageText", Convert.ToBase64String(Encoding.UTF8.GetBytes(text))));
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(xml.ToString(SaveOptions.DisableFormatting)));
    }

    /// <summary>Messages written by other producers may be plain text; those are returned as they are.</summary>
    private static string Decode(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written)
            ? Encoding.UTF8.GetString(buffer, 0, written)
            : text;
    }

    private static DateTimeOffset ParseDate(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Seconds(TimeSpan value, int minimum)
    {
        var seconds = (long)Math.Ceiling(value.TotalSeconds);
        if (seconds < minimum || value > MaxVisibilityTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Must be between {minimum} s and 7 days.");
        }

        return seconds.ToString(CultureInfo.InvariantCulture);
    }

    private HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(endpoint);
        message.Request.Uri.AppendPath("/" + name + path, escape: false);
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken);
        return message.Response;
    }
}
