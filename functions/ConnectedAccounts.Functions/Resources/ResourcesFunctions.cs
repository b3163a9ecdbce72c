using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace ConnectedAccounts.Functions.Resources;

/// <summary>
/// The resources routes as isolated-worker functions. Each runs the app's one HTTP pipeline (<see cref="HttpFunctionPipeline"/>),
/// which routes to the same handler as standalone; the route-table test keeps these triggers and those routes equal.
/// </summary>
public sealed class ResourcesFunctions(HttpFunctionPipeline api)
{
    [Function(nameof(ListReports))]
    public Task<IResult> ListReports([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/reports")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CreateReport))]
    public Task<IResult> CreateReport([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/reports")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetReport))]
    public Task<IResult> GetReport([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/reports/{reportId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(UpdateReport))]
    public Task<IResult> UpdateReport([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/accounts/{accountId}/reports/{reportId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(DeleteReport))]
    public Task<IResult> DeleteReport([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/accounts/{accountId}/reports/{reportId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ExportReport))]
    public Task<IResult> ExportReport([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/reports/{reportId}/export")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(SetReportSharing))]
    public Task<IResult> SetReportSharing([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/accounts/{accountId}/reports/{reportId}/sharing")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListIntegrations))]
    public Task<IResult> ListIntegrations([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/integrations")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CreateIntegration))]
    public Task<IResult> CreateIntegration([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/integrations")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetIntegration))]
    public Task<IResult> GetIntegration([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/integrations/{integrationId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(ListItems))]
    public Task<IResult> ListItems([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/items")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(CreateItem))]
    public Task<IResult> CreateItem([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/items")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(GetItem))]
    public Task<IResult> GetItem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/items/{itemId}")] HttpRequest request) => api.RunAsync(request);

    [Function(nameof(UpdateItem))]
    public Task<IResult> UpdateItem([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/accounts/{accountId}/items/{itemId}")] HttpRequest request) => api.RunAsync(request);
}
