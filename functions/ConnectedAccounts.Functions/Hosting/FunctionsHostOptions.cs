using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>Configuration section <c>Functions</c>.</summary>
public sealed class FunctionsHostOptions
{
    public const string Section = "Functions";

    /// <summary>
    /// Standalone only: run the queue pollers and timers inside the app. Tests that drive handlers directly turn it off.
    /// Under the Functions host nothing runs in the background whatever this says: the host owns the triggers.
    /// </summary>
    public bool RunBackgroundJobs { get; set; } = true;
}

/// <summary>
/// Configuration section <c>Queues</c>: the standalone poller's settings. Keep them equal to host.json's
/// <c>extensions.queues</c> so a message is retried and poisoned the same way in both modes.
/// </summary>
public sealed class QueueRunnerOptions
{
    public const string Section = "Queues";

    /// <summary>host.json <c>maxDequeueCount</c>: deliveries before a message moves to <c>&lt;queue&gt;-poison</c>.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>host.json <c>visibilityTimeout</c>: how long a failed message stays hidden before its retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>host.json <c>batchSize</c>: messages received per poll.</summary>
    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// How long a received message stays hidden; renewed every third of it while its handler runs, so it bounds how long
    /// a message whose receive answer was lost stays hidden, not how long a handler may take.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>host.json <c>maxPollingInterval</c>: the longest wait between polls of an empty queue.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Checks the data annotations of <see cref="QueueRunnerOptions"/> with generated code instead of reflection at start-up.</summary>
[OptionsValidator]
public sealed partial class QueueRunnerOptionsValidator : IValidateOptions<QueueRunnerOptions>;
