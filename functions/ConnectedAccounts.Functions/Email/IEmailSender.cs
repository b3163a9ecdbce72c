namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// Delivers a rendered message. A transient failure (throttling, server errors after the sender's own retries,
/// network faults) is thrown so that the queue retries the message and finally moves it to the poison queue; a
/// permanent rejection is returned as <see cref="EmailSendResult.Rejected"/> because retrying cannot fix it.
/// </summary>
public interface IEmailSender
{
    Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>What became of one message handed to an <see cref="IEmailSender"/>.</summary>
public abstract record EmailSendResult
{
    private EmailSendResult()
    {
    }

    /// <summary>The provider accepted the message (or had already accepted it under the same idempotency key).</summary>
    /// <param name="ProviderMessageId">The provider's id for the message, or the pickup file name.</param>
    public sealed record Sent(string? ProviderMessageId) : EmailSendResult;

    /// <summary>The provider refused the message for good, for example an invalid address.</summary>
    public sealed record Rejected(int StatusCode, string Reason) : EmailSendResult;
}
