using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Accounts;

/// <summary>
/// The accounts routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class AccountsFunctions(HttpFunctionPipeline api)
{
    [Function(nameof(CreateAccount))]
    public Task<IResult> CreateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListSwitcher))]
    public Task<IResult> ListSwitcher([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetAccount))]
    public Task<IResult> GetAccount([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(UpdateAccount))]
    public Task<IResult> UpdateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/accounts/{accountId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetPermissions))]
    public Task<IResult> GetPermissions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/permissions")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListMembers))]
    public Task<IResult> ListMembers([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/members")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ChangeRole))]
    public Task<IResult> ChangeRole([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/accounts/{accountId}/members/{userId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(RemoveMember))]
    public Task<IResult> RemoveMember([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/accounts/{accountId}/members/{userId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ReviewAccess))]
    public Task<IResult> ReviewAccess([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/access")] HttpRequest request) => api.RunAsync(request);
}
