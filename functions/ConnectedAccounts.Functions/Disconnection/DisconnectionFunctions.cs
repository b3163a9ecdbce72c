using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Disconnection;

/// <summary>
/// The disconnection routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class DisconnectionFunctions(HttpFunctionPipeline api, DisconnectionWorker worker)
{
    [Function(nameof(PreviewDisconnection))]
    public Task<IResult> PreviewDisconnection([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/connections/{connectionId}/disconnect-preview")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(Disconnect))]
    public Task<IResult> Disconnect([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/connections/{connectionId}/disconnect")] HttpRequest request) => api.RunAsync(request);


    [Function(nameof(DisconnectionWorker))]
    public Task DisconnectionWorker([QueueTrigger(DisconnectionRequested.QueueName)] string message, long dequeueCount, CancellationToken cancellationToken) =>
        worker.HandleAsync(message, dequeueCount, cancellationToken);

    /// <summary>
    /// Takes the disconnection messages the queue gave up on (moved to its poison queue by the Functions host or the
    /// standalone runner), so no connection stays "disconnecting" without a word (<see cref="DisconnectionWorker.RecordGivenUpAsync"/>).
    /// </summary>
    [Function(nameof(DisconnectionGivenUp))]
    public Task DisconnectionGivenUp([QueueTrigger(DisconnectionRequested.QueueName + "-poison")] string message, CancellationToken cancellationToken) =>
        worker.RecordGivenUpAsync(message, cancellationToken);
}
