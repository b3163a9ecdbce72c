using ConnectedAccounts.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>Standalone only: polls every catalog queue and hands each message to <see cref="QueueMessageProcessor"/>.</summary>
public sealed class QueuePollingService(
    FunctionCatalog catalog,
    IServiceProvider services,
    QueueMessageProcessor processor,
    IOptions<QueueRunnerOptions> queueOptions,
    IOptions<FunctionsHostOptions> hostOptions,
    TimeProvider timeProvider,
    ILogger<QueuePollingService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstIdleDelay = TimeSpan.FromMilliseconds(100);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!hostOptions.Value.RunBackgroundJobs || catalog.Queues.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Resolved here rather than injected so that an app with no queue functions needs no queue service.
        var queues = services.GetRequiredService<IQueueServiceClient>();
        return Task.WhenAll(catalog.Queues.Select(function => PollAsync(function, queues, stoppingToken)));
    }

    private async Task PollAsync(QueueFunctionRegistration function, IQueueServiceClient queues, CancellationToken stoppingToken)
    {
        var options = queueOptions.Value;
        var queue = queues.GetQueueClient(function.QueueName);
        var poison = queues.GetQueueClient(QueueMessageProcessor.PoisonQueueName(function.QueueName));
        var idleDelay = FirstIdleDelay;
        var ready = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<QueueMessage> batch;
            try
            {
                if (!ready)
                {
                    // Receiving from a queue that does not exist fails on Azure; its first message may not have come yet.
                    await queue.CreateIfNotExistsAsync(stoppingToken);
                    ready = true;
                }

                batch = await queue.ReceiveMessagesAsync(options.BatchSize, options.MessageLease, stoppingToken);
                foreach (var message in batch)
                {
                    await processor.ProcessAsync(function, queue, poison, message, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A storage outage must not end the poller for the life of the process; it backs off and tries again.
                logger.LogError(e, "Polling queue {Queue} for {Function} failed", function.QueueName, function.Name);
                batch = [];
            }

            idleDelay = batch.Count > 0 ? FirstIdleDelay : TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, options.MaxPollingInterval.Ticks));
            if (batch.Count == 0)
            {
                await Delay(idleDelay, stoppingToken);
            }
        }
    }

    private async Task Delay(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: the loop condition ends the poller.
        }
    }
}

/// <summary>Standalone only: runs every catalog timer on its schedule.</summary>
public sealed class TimerSchedulingService(
    FunctionCatalog catalog,
    TimerSchedules schedules,
    FunctionInvoker invoker,
    IOptions<FunctionsHostOptions> hostOptions,
    TimeProvider timeProvider,
    ILogger<TimerSchedulingService> logger) : BackgroundService
{
    /// <summary>A run that starts later than this after its occurrence is reported as past due.</summary>
    public static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(30);

    // Task.Delay cannot wait longer than ~49 days; a yearly schedule just waits in steps.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        hostOptions.Value.RunBackgroundJobs
            ? Task.WhenAll(catalog.Timers.Select(timer => RunAsync(timer, schedules.For(timer), stoppingToken)))
            : Task.CompletedTask;

    private async Task RunAsync(TimerFunctionRegistration timer, NCrontab.CrontabSchedule schedule, CancellationToken stoppingToken)
    {
        try
        {
            var last = timeProvider.GetUtcNow();
            var next = schedule.NextAfter(last);
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = next - timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait < LongestWait ? wait : LongestWait, timeProvider, stoppingToken);
                    continue;
                }

                var now = timeProvider.GetUtcNow();
                var status = new ScheduleStatus { Last = last.UtcDateTime, Next = schedule.NextAfter(now).UtcDateTime, LastUpdated = now.UtcDateTime };
                await RunOnceAsync(timer, new TimerInfo { IsPastDue = now - next > PastDueTolerance, ScheduleStatus = status }, stoppingToken);
                last = next;

                // Occurrences missed while a slow run lasted are skipped, as the host does: one run, then back on schedule.
                next = schedule.NextAfter(timeProvider.GetUtcNow() > next ? timeProvider.GetUtcNow() : next);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task RunOnceAsync(TimerFunctionRegistration timer, TimerInfo invocation, CancellationToken stoppingToken)
    {
        try
        {
            await invoker.InvokeTimerAsync(timer, invocation, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The host does not retry a failed timer run either; the next occurrence is the retry.
            logger.LogError(e, "Timer {Function} failed", timer.Name);
        }
    }
}
