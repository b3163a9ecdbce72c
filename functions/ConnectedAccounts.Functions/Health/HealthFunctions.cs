using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Health;

/// <summary>
/// The health routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class HealthFunctions(HttpFunctionPipeline api)
{
    [Function(nameof(CheckHealth))]
    public Task<IResult> CheckHealth([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CheckLiveness))]
    public Task<IResult> CheckLiveness([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "livez")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetOpenApiDocument))]
    public Task<IResult> GetOpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{documentName}.json")] HttpRequest request) => api.RunAsync(request);
}
