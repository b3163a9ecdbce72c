using ConnectedAccounts.Functions.Persistence;
using ConnectedAccounts.Storage.Tables;

namespace ConnectedAccounts.Functions.Email;

/// <summary>
/// The handler of the <see cref="EmailQueue.Name"/> queue: reads an <see cref="EmailRequest"/>, renders it and
/// sends it. Every failure that a retry could fix is thrown, so the queue retries and finally poisons the message;
/// only a provider's permanent rejection is logged and the message completed, because no retry can fix it. A queue
/// delivers at least once (a redelivery, a send whose answer was lost), and SendGrid has no idempotency key, so each
/// e-mail handed over is recorded under its idempotency key and a second delivery is not sent again; only a crash
/// between the hand-over and the record sends twice.
/// </summary>
public sealed class EmailSenderFunction(EmailRenderer renderer, IEmailSender sender, ITableServiceClient tables, TimeProvider time, ILogger<EmailSenderFunction> log)
{
    public async Task HandleAsync(string messageText, CancellationToken ct)
    {
        var request = EmailQueue.FromMessageText(messageText);
        var handedOver = tables.GetTableClient(Keys.DataTable);
        var row = EmailQueue.KeyHash(request.IdempotencyKey);
        if (await handedOver.GetEntityIfExistsAsync(Keys.SentEmailsPartition, row, ct) is not null)
        {
            log.LogInformation("The {Kind} e-mail {IdempotencyKey} was sent before; this delivery is not sent again.", request.GetType().Name, request.IdempotencyKey);
            return;
        }

        var message = renderer.Render(request);
        var result = await sender.SendAsync(message, ct);
        await handedOver.UpsertEntityAsync(new TableEntity(Keys.SentEmailsPartition, row) { ["HandedOver"] = time.GetUtcNow() }, TableUpdateMode.Replace, ct);
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
