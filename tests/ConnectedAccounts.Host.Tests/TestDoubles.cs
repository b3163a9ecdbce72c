using System.Collections.Concurrent;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Host.Tests;

/// <summary>What a queue function was called with.</summary>
public sealed record QueueCall(string MessageText, long DequeueCount, string Id);

/// <summary>Queue functions as the app declares its own. Recorder records its calls and fails on the text "fail".</summary>
public sealed class RecordingFunctions(InvocationLog log)
{
    public static readonly QueueFunctionRegistration Recorder = Registration(nameof(Record));

    [Function("Recorder")]
    public Task Record([QueueTrigger("work")] string message, long dequeueCount, string id, CancellationToken cancellationToken)
    {
        log.Queue.Enqueue(new QueueCall(message, dequeueCount, id));
        return message == "fail" ? throw new InvalidOperationException("the handler refused") : Task.CompletedTask;
    }

    public static QueueFunctionRegistration Registration(Type type, string method) =>
        (QueueFunctionRegistration)FunctionCatalog.From(type.GetMethod(method)!)!;

    private static QueueFunctionRegistration Registration(string method) => Registration(typeof(RecordingFunctions), method);
}

/// <summary>A queue function that runs until the test releases it.</summary>
public sealed class HeldFunctions(HeldQueueFunction gate)
{
    [Function("Held")]
    public async Task Hold([QueueTrigger("work")] string message)
    {
        gate.Started.SetResult();
        await gate.Release.Task;
    }
}

public sealed class InvocationLog
{
    public ConcurrentQueue<QueueCall> Queue { get; } = new();
}
