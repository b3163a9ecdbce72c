using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Storage.Azure;
using ConnectedAccounts.Storage.Tests.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The queue processor on Azure Queue Storage (Azurite) through the SDK adapter, on real time: Azurite counts
/// visibility in whole seconds, so the waits carry slack.
/// </summary>
public sealed class QueueMessageProcessorOnAzuriteTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly InvocationLog _log = new();
    private readonly QueueFunctionRegistration _function = RecordingFunctions.Recorder;
    private readonly string _name = AzuriteFixture.UniqueQueueName();
    private AzureQueueClient _work = null!;
    private AzureQueueClient _poison = null!;

    public async Task InitializeAsync()
    {
        _work = azurite.Queues.GetQueueClient(_name);
        _poison = azurite.Queues.GetQueueClient(_name + "-poison");
        await _work.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await _work.DeleteAsync();
        await _poison.DeleteAsync();
    }

    [Fact]
    public async Task A_handled_message_is_deleted()
    {
        await _work.SendMessageAsync("hello");
        var message = Assert.Single(await _work.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Equal(QueueMessageOutcome.Completed, await Processor().ProcessAsync(_function, _work, _poison, message, CancellationToken.None));

        Assert.Equal(0, await _work.GetApproximateMessageCountAsync());
        Assert.Equal("hello", Assert.Single(_log.Queue).MessageText);
    }

    [Fact]
    public async Task A_failing_message_is_retried_after_the_visibility_timeout_then_moved_to_poison()
    {
        await _work.SendMessageAsync("fail");
        var outcomes = new List<QueueMessageOutcome>();
        for (var delivery = 0; delivery < 2; delivery++)
        {
            var message = Assert.Single(await _work.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));
            outcomes.Add(await Processor().ProcessAsync(_function, _work, _poison, message, CancellationToken.None));
            await Task.Delay(TimeSpan.FromSeconds(1.6));
        }

        Assert.Equal([QueueMessageOutcome.Retried, QueueMessageOutcome.Poisoned], outcomes);
        Assert.Equal([1L, 2L], _log.Queue.Select(i => i.DequeueCount));
        Assert.Empty(await _work.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1)));
        Assert.Equal(["fail"], (await _poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Select(m => m.Text));
    }

    private QueueMessageProcessor Processor()
    {
        var services = new ServiceCollection().AddSingleton(_log).BuildServiceProvider();
        var options = new QueueRunnerOptions { MaxDequeueCount = 2, VisibilityTimeout = TimeSpan.FromSeconds(1) };
        return new QueueMessageProcessor(
            new FunctionInvoker(services.GetRequiredService<IServiceScopeFactory>()), Options.Create(options), TimeProvider.System, NullLogger<QueueMessageProcessor>.Instance);
    }
}
