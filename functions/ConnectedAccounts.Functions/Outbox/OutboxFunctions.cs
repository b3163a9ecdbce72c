using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Outbox;

/// <summary>The outbox's functions: the projection consumer and the sweep that relays what a crash left behind.</summary>
public sealed class OutboxFunctions(ProjectionHandler projections, OutboxRelay relay)
{
    [Function(nameof(Projections))]
    public Task Projections([QueueTrigger(ProjectionMessage.QueueName)] string message, CancellationToken cancellationToken) =>
        projections.HandleAsync(message, cancellationToken);

    [Function(nameof(OutboxSweep))]
    public Task OutboxSweep([TimerTrigger("%Schedules:OutboxSweep%")] TimerInfo timer, CancellationToken cancellationToken) =>
        relay.SweepAsync(cancellationToken);
}
