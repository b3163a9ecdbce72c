using ConnectedAccounts.Functions;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

if (FunctionsHostMode.IsWorker(args))
{
    // Under the Functions host: an isolated worker with the ASP.NET Core integration (the host forwards HTTP to it).
    var worker = FunctionsApplication.CreateBuilder(args);
    worker.ConfigureFunctionsWebApplication();
    worker.AddConnectedAccounts();
    worker.Build().Run();
    return;
}

// Slim: the handler serves plain HTTP (loopback under the Functions host), so no HTTPS, HTTP/3, IIS or host filtering.
var builder = WebApplication.CreateSlimBuilder(FunctionsEnvironment.Options(args));
builder.AddConnectedAccounts();
var app = builder.Build();
app.UseApi();
app.Run();

/// <summary>The entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
