using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Email;

/// <summary>The e-mail sender on its queue, and the sweep of the records that stop a redelivery sending twice.</summary>
public sealed class EmailFunctions(EmailSenderFunction sender, SentEmailRecords records)
{
    [Function(nameof(EmailSender))]
    public Task EmailSender([QueueTrigger(EmailQueue.Name)] string message, CancellationToken cancellationToken) =>
        sender.HandleAsync(message, cancellationToken);

    [Function(nameof(EmailRecordSweep))]
    public Task EmailRecordSweep([TimerTrigger("%Schedules:EmailRecordSweep%")] TimerInfo timer, CancellationToken cancellationToken) =>
        records.SweepAsync(cancellationToken);
}
