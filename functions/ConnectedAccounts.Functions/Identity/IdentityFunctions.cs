using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Identity;

/// <summary>
/// The identity routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class IdentityFunctions(HttpFunctionPipeline api)
{
    [Function(nameof(IssueDevToken))]
    public Task<IResult> IssueDevToken([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/dev/tokens")] HttpRequest request) => api.RunAsync(request);
}
