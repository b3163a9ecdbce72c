using ConnectedAccounts.Functions;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// What an HTTP function runs under the isolated worker: the app's own middleware and routes (<see cref="Application.UseApi"/>),
/// built on the worker's services at the first request. The worker has already matched the request to its function; that endpoint is
/// cleared so the app's routing picks the same route's handler with its metadata (authorization, binding, OpenAPI).
/// Running the pipeline inside the function, not in front of the worker's routing, lets every request start and end its
/// invocation, a 401 or a replayed Idempotency-Key included.
/// </summary>
public sealed class HttpFunctionPipeline
{
    private readonly Lazy<RequestDelegate> _pipeline;

    /// <remarks>
    /// Registered standalone too, where nothing calls it: a function class that holds HTTP and queue functions is
    /// created the same way in both modes.
    /// </remarks>
    public HttpFunctionPipeline(IServiceProvider services) => _pipeline = new(() =>
    {
        var app = new ApplicationBuilder(services);
        app.UseApi();
        return app.Build();
    });

    public async Task<IResult> RunAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        await _pipeline.Value(context).ConfigureAwait(false);

        // The response is written: the worker has nothing left to send.
        return Results.Empty;
    }
}
