using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConnectedAccounts.Functions.Email;

/// <summary>The queue that carries <see cref="EmailRequest"/> messages to <see cref="EmailSenderFunction"/>.</summary>
public static class EmailQueue
{
    public const string Name = "email";

    /// <summary>The message text an outbox row puts on the queue for <paramref name="request"/>.</summary>
    public static string ToMessageText(EmailRequest request) =>
        JsonSerializer.Serialize(request, AppJsonContext.Default.EmailRequest);

    /// <summary>
    /// A short name for an e-mail's idempotency key (free text): the pickup file, the Message-ID and the record of
    /// the hand-over are all named by it.
    /// </summary>
    public static string KeyHash(string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];

    /// <summary>Reads a queue message; a message that is not an <see cref="EmailRequest"/> is a bug upstream.</summary>
    public static EmailRequest FromMessageText(string messageText)
    {
        try
        {
            return JsonSerializer.Deserialize(messageText, AppJsonContext.Default.EmailRequest)
                ?? throw new JsonException("The e-mail queue message is the JSON literal null.");
        }
        catch (NotSupportedException ex)
        {
            // A missing or unknown "kind" surfaces as NotSupportedException; to the queue it is one more
            // malformed message, reported the way every other one is.
            throw new JsonException("The e-mail queue message has no known \"kind\".", ex);
        }
    }
}
