namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The handler of the <see cref="EmailQueue.Name"/> queue: reads an <see cref="EmailRequest"/>, renders it and
/// sends it. Every failure that a retry could fix is thrown, so the queue retries and finally poisons the message;
/// only a provider's permanent rejection is logged and the message completed, because no retry can fix it.
/// </summary>
public sealed class EmailSenderFunction(EmailRenderer renderer, IEmailSender sender, ILogger<EmailSenderFunction> log)
{
    public async Task HandleAsync(string messageText, CancellationToken ct)
    {
        var request = EmailQueue.FromMessageText(messageText);
        var message = renderer.Render(request);
        var result = await sender.SendAsync(message, ct);
        switch (result)
        {
            case EmailSendResult.Sent sent:
                log.LogInformation(
                    "Sent the {Kind} e-mail {IdempotencyKey} ({ProviderMessageId}).",
                    request.GetType().Name,
                    request.IdempotencyKey,
                    sent.ProviderMessageId);
                break;
            case EmailSendResult.Rejected rejected:
                log.LogError(
                    "The provider rejected the {Kind} e-mail {IdempotencyKey} for good: {StatusCode} {Reason}.",
                    request.GetType().Name,
                    request.IdempotencyKey,
                    rejected.StatusCode,
                    rejected.Reason);
                break;
        }
    }
}
