namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The handler of the <see cref="EmailQueue.Name"/> queue: reads an <see cref="EmailRequest"/>, renders it and
/// sends it. Every failure that a retry could fix is thrown, so the queue retries and finally poisons the message;
/// only a provider's permanent rejection is logged and the message completed, because no retry can fix it. A queue
/// delivers at least once (a redelivery, a send whose answer was lost), and SendGrid has no idempotency key, so each
/// e-mail handed over is recorded under its idempotency key and a second delivery is not sent again; only a crash
/// between the hand-over and the record sends twice. Records are kept <see cref="EmailOptions.SentRecordRetention"/>
/// (<see cref="SentEmailRecords"/>).
/// </summary>
public sealed class EmailSenderFunction(IEmailSender sender, SentEmailRecords sent, ILogger<EmailSenderFunction> log)
{
    public async Task HandleAsync(string messageText, CancellationToken ct)
    {
        var request = EmailQueue.FromMessageText(messageText);
        if (await sent.WasSentAsync(request.IdempotencyKey, ct))
        {
            log.LogInformation("The {Kind} e-mail {IdempotencyKey} was sent before; this delivery is not sent again.", request.GetType().Name, request.IdempotencyKey);
            return;
        }

        var message = EmailRenderer.Render(request);
        var result = await sender.SendAsync(message, ct);
        await sent.RecordAsync(request.IdempotencyKey, ct);
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
