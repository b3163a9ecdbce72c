using System.Collections.Concurrent;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Storage.Queues;

namespace ConnectedAccounts.Host.Tests;

/// <summary>Records what it was called with; fails when the message text is "fail". Each factory gets its own log.</summary>
public sealed class RecordingQueueFunction(InvocationLog log) : IQueueFunction
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken)
    {
        log.Queue.Add(invocation);
        return invocation.MessageText == "fail" ? throw new InvalidOperationException("the handler refused") : Task.CompletedTask;
    }
}

public sealed class RecordingTimerFunction(InvocationLog log) : ITimerFunction
{
    public Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken)
    {
        log.Timer.Add(invocation);
        return Task.CompletedTask;
    }
}

public sealed class InvocationLog
{
    public ConcurrentQueue<QueueInvocation> Queue { get; } = new();

    public ConcurrentQueue<TimerInvocation> Timer { get; } = new();
}

internal static class ConcurrentQueueExtensions
{
    public static void Add<T>(this ConcurrentQueue<T> queue, T item) => queue.Enqueue(item);
}

