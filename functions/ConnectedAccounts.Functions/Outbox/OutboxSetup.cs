using ConnectedAccounts.Functions.Hosting;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>The outbox's functions as the Functions host's custom handler registers them.</summary>
public static class OutboxSetup
{
    public static IServiceCollection AddOutbox(this IServiceCollection services) =>
        services
            .AddQueueFunction<ProjectionFunction>("Projections", ProjectionMessage.QueueName)
            .AddTimerFunction<OutboxSweepFunction>("OutboxSweep", "Schedules:OutboxSweep", "*/30 * * * * *");

    public sealed class ProjectionFunction(ProjectionHandler handler) : IQueueFunction
    {
        public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
            handler.HandleAsync(invocation.MessageText, cancellationToken);
    }

    public sealed class OutboxSweepFunction(OutboxRelay relay) : ITimerFunction
    {
        public Task RunAsync(TimerInvocation invocation, CancellationToken cancellationToken) => relay.SweepAsync(cancellationToken);
    }
}
