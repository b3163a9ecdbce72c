using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Http;

/// <summary>The sweep of Idempotency-Key records past their retention.</summary>
public sealed class IdempotencyFunctions(IdempotencySweep sweep)
{
    [Function(nameof(IdempotencySweep))]
    public Task IdempotencySweep([TimerTrigger("%Schedules:IdempotencySweep%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
