using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Connections;

/// <summary>
/// The connections routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class ConnectionsFunctions(HttpFunctionPipeline api, ConnectionExpiry expiry)
{
    [Function(nameof(RequestConnection))]
    public Task<IResult> RequestConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/connections")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListConnections))]
    public Task<IResult> ListConnections([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/connections")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetConnection))]
    public Task<IResult> GetConnection([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/connections/{connectionId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(AcceptConnection))]
    public Task<IResult> AcceptConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/connections/{connectionId}/accept")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(DeclineConnection))]
    public Task<IResult> DeclineConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/connections/{connectionId}/decline")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CancelConnection))]
    public Task<IResult> CancelConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/connections/{connectionId}/cancel")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(SetAgencyUsers))]
    public Task<IResult> SetAgencyUsers([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/connections/{connectionId}/agency-users")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(SetPermissions))]
    public Task<IResult> SetPermissions([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/connections/{connectionId}/permissions")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(SetExpiry))]
    public Task<IResult> SetExpiry([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/connections/{connectionId}/expiry")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CreateClient))]
    public Task<IResult> CreateClient([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{agencyAccountId}/clients")] HttpRequest request) => api.RunAsync(request);


    [Function(nameof(ConnectionExpiry))]
    public Task ConnectionExpiry([TimerTrigger("%Schedules:ConnectionExpiry%")] TimerInfo timer, CancellationToken cancellationToken) =>
        expiry.RunAsync(cancellationToken);
}
