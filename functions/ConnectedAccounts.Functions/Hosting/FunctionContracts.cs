namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// One delivery of a queue message. <see cref="DequeueCount"/> starts at 1 and grows with every retry, so a handler
/// can tell a first attempt from a redelivery; handlers must be idempotent because delivery is at-least-once.
/// </summary>
public sealed record QueueInvocation(string MessageText, long DequeueCount, string? MessageId, DateTimeOffset? InsertedOn);

/// <summary>A queue-triggered function. Throwing fails the delivery: the message is retried and finally poisoned.</summary>
public interface IQueueFunction
{
    Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>One run of a timer. <see cref="IsPastDue"/> is true when the run starts later than scheduled (e.g. after a restart).</summary>
public sealed record TimerInvocation(bool IsPastDue, DateTimeOffset? ScheduledAt);

/// <summary>A timer-triggered function, run on an NCRONTAB schedule (seconds minutes hours day month day-of-week).</summary>
public interface ITimerFunction
{
    Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken);
}
