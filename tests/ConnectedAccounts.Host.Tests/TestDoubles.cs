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

/// <summary>A queue kept in memory with the visibility and dequeue-count rules of Azure Queue Storage.</summary>
public sealed class InMemoryQueue(string name, TimeProvider time) : IQueueClient
{
    private readonly List<Entry> _entries = [];
    private readonly Lock _lock = new();

    public string Name => name;

    public IReadOnlyList<string> Texts { get { lock (_lock) { return _entries.Select(e => e.Text).ToList(); } } }

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SendMessageAsync(string text, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _entries.Add(new Entry(Guid.NewGuid().ToString("N"), text, time.GetUtcNow()) { VisibleOn = time.GetUtcNow() + (visibilityDelay ?? TimeSpan.Zero) });
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var received = new List<QueueMessage>();
            foreach (var entry in _entries.Where(e => e.VisibleOn <= now).Take(maxMessages))
            {
                entry.DequeueCount++;
                entry.PopReceipt = Guid.NewGuid().ToString("N");
                entry.VisibleOn = now + visibilityTimeout;
                received.Add(new QueueMessage(entry.Id, entry.PopReceipt, entry.Text, entry.DequeueCount, entry.InsertedOn, entry.VisibleOn));
            }

            return Task.FromResult<IReadOnlyList<QueueMessage>>(received);
        }
    }

    public Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_entries.RemoveAll(e => e.Id == messageId && e.PopReceipt == popReceipt) == 1);
        }
    }

    public Task<string?> UpdateVisibilityAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var entry = _entries.SingleOrDefault(e => e.Id == messageId && e.PopReceipt == popReceipt);
            if (entry is null)
            {
                return Task.FromResult<string?>(null);
            }

            entry.VisibleOn = time.GetUtcNow() + visibilityTimeout;
            entry.PopReceipt = Guid.NewGuid().ToString("N");
            return Task.FromResult<string?>(entry.PopReceipt);
        }
    }

    public Task<int> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_entries.Count);
        }
    }

    private sealed record Entry(string Id, string Text, DateTimeOffset InsertedOn)
    {
        public long DequeueCount { get; set; }

        public string PopReceipt { get; set; } = "";

        public DateTimeOffset VisibleOn { get; set; }
    }
}

public sealed class InMemoryQueueService(TimeProvider time) : IQueueServiceClient
{
    private readonly ConcurrentDictionary<string, InMemoryQueue> _queues = new();

    public IQueueClient GetQueueClient(string queueName) => Queue(queueName);

    public InMemoryQueue Queue(string queueName) => _queues.GetOrAdd(queueName, n => new InMemoryQueue(n, time));
}

/// <summary>A clock the test moves by hand; timers are not needed by the code under test here.</summary>
