using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Activity;

/// <summary>
/// The activity routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class ActivityFunctions(HttpFunctionPipeline api, ActivitySweep sweep)
{
    [Function(nameof(AccountActivity))]
    public Task<IResult> AccountActivity([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/activity")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ConnectionActivity))]
    public Task<IResult> ConnectionActivity([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/connections/{connectionId}/activity")] HttpRequest request) => api.RunAsync(request);


    [Function(nameof(ActivitySweep))]
    public Task ActivitySweep([TimerTrigger("%Schedules:ActivitySweep%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
