using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Storage.Queues;
using ConnectedAccounts.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The one queue processor (what the standalone pollers run, the Functions queue trigger's behaviour) on the embedded
/// queue, with time moved by hand.
/// </summary>
public sealed class QueueMessageProcessorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-processor-");
    private readonly SqliteQueueServiceClient _queues;
    private readonly InvocationLog _log = new();
    private readonly QueueFunctionRegistration _function = RecordingFunctions.Recorder;
    private readonly QueueRunnerOptions _options = new() { MaxDequeueCount = 3, VisibilityTimeout = TimeSpan.FromSeconds(10) };

    public QueueMessageProcessorTests() => _queues = new SqliteQueueServiceClient(Path.Combine(_data.FullName, "queues.db"), _time);

    public void Dispose()
    {
        _queues.Dispose();
        _data.Delete(recursive: true);
    }

    private static async Task<List<string>> TextsAsync(IQueueClient queue) =>
        (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1))).Select(m => m.Text).ToList();

    private QueueMessageProcessor Processor(TimeProvider? time = null, HeldQueueFunction? held = null)
    {
        var services = new ServiceCollection().AddSingleton(_log)
            .AddSingleton(held ?? new HeldQueueFunction()).BuildServiceProvider();
        return new QueueMessageProcessor(
            new FunctionInvoker(services.GetRequiredService<IServiceScopeFactory>()), Options.Create(_options), time ?? _time, NullLogger<QueueMessageProcessor>.Instance);
    }

    [Fact]
    public async Task A_short_lease_is_renewed_while_the_handler_runs_so_no_one_else_receives_the_message()
    {
        // Real time and the embedded queue: the lease is 3 s, the handler takes more than twice that.
        var data = Directory.CreateTempSubdirectory("ca-lease-");
        try
        {
            _options.MessageLease = TimeSpan.FromSeconds(3);
            var work = new SqliteQueueServiceClient(Path.Combine(data.FullName, "q.db"), TimeProvider.System).GetQueueClient("work");
            await work.CreateIfNotExistsAsync();
            await work.SendMessageAsync("slow");
            var message = (await work.ReceiveMessagesAsync(1, _options.MessageLease)).Single();
            var held = new HeldQueueFunction();
            var function = RecordingFunctions.Registration(typeof(HeldFunctions), nameof(HeldFunctions.Hold));

            var processing = Processor(TimeProvider.System, held).ProcessAsync(function, work, work, message, CancellationToken.None);
            await held.Started.Task;
            var seenByOthers = new List<int>();
            for (var second = 0; second < 7; second++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                seenByOthers.Add((await work.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Count);
            }

            held.Release.SetResult();

            Assert.Equal(QueueMessageOutcome.Completed, await processing);
            Assert.Equal(Enumerable.Repeat(0, 7), seenByOthers);
            Assert.Equal(0, await work.GetApproximateMessageCountAsync());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_handled_message_is_deleted_and_the_handler_sees_its_delivery_count()
    {
        var (work, poison) = (_queues.GetQueueClient("work"), _queues.GetQueueClient("work-poison"));
        await work.SendMessageAsync("hello");
        var message = (await work.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Single();

        var outcome = await Processor().ProcessAsync(_function, work, poison, message, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(QueueMessageOutcome.Completed, outcome);
        Assert.Empty(await TextsAsync(work));
        var invocation = Assert.Single(_log.Queue);
        Assert.Equal(("hello", 1L, message.MessageId), (invocation.MessageText, invocation.DequeueCount, invocation.Id));
    }

    [Fact]
    public async Task A_failing_message_is_retried_after_the_visibility_timeout_and_poisoned_after_max_dequeue_count()
    {
        var (work, poison) = (_queues.GetQueueClient("work"), _queues.GetQueueClient("work-poison"));
        await work.SendMessageAsync("fail");
        var processor = Processor();
        var outcomes = new List<QueueMessageOutcome>();

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var message = (await work.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Single();
            outcomes.Add(await processor.ProcessAsync(_function, work, poison, message, CancellationToken.None));
            Assert.Empty(await work.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1)));
            _time.Advance(TimeSpan.FromSeconds(11));
        }

        Assert.Equal([QueueMessageOutcome.Retried, QueueMessageOutcome.Retried, QueueMessageOutcome.Poisoned], outcomes);
        Assert.Equal([1L, 2L, 3L], _log.Queue.Select(i => i.DequeueCount));
        Assert.Empty(await TextsAsync(work));
        Assert.Equal(["fail"], await TextsAsync(poison));
    }

    [Fact]
    public async Task A_message_delivered_more_often_than_allowed_goes_to_poison_without_running_the_handler()
    {
        var (work, poison) = (_queues.GetQueueClient("work"), _queues.GetQueueClient("work-poison"));
        await work.SendMessageAsync("crashed the process each time");
        for (var i = 0; i < 3; i++)
        {
            // Received and never settled, as by a process that died in the handler.
            await work.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1));
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        var message = (await work.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Single();
        var outcome = await Processor().ProcessAsync(_function, work, poison, message, CancellationToken.None);

        Assert.Equal(QueueMessageOutcome.Poisoned, outcome);
        Assert.Empty(_log.Queue);
        Assert.Equal(["crashed the process each time"], await TextsAsync(poison));
    }
}

/// <summary>The gate of <see cref="HeldFunctions"/>: tells when the function started and lets it end.</summary>
public sealed class HeldQueueFunction
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
