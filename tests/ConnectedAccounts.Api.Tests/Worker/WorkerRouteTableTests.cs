using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Api.Tests.Worker;

/// <summary>
/// The function metadata the Worker SDK generated from the <c>[Function]</c> classes (functions.metadata, as the host
/// reads it) against what the app serves and runs standalone: the same (method, route) pairs, nothing more or less,
/// and the same queue and timer functions on the same queues and schedule settings.
/// </summary>
public sealed class WorkerRouteTableTests(DevelopmentApiFactory api) : IClassFixture<DevelopmentApiFactory>
{
    private static readonly JsonArray Metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))!.AsArray();

    [Fact]
    public void Every_http_function_is_a_standalone_route_and_every_standalone_route_a_function()
    {
        var functions = Triggers("httpTrigger")
            .SelectMany(t => t.Binding["methods"]!.AsArray().Select(m => Route((string)m!, "/" + (string)t.Binding["route"]!)))
            .ToList();
        var standalone = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => Route(m, e.RoutePattern.RawText!)))
            .ToList();

        Assert.Equal(functions.Count, functions.Distinct().Count());
        Assert.Equal(standalone.Order(StringComparer.Ordinal), functions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_queue_and_timer_functions_are_those_the_app_runs_standalone()
    {
        var catalog = api.Services.GetRequiredService<FunctionCatalog>();

        Assert.Equal(
            catalog.Queues.Select(q => $"{q.Name} {q.QueueName}").Order(StringComparer.Ordinal),
            Triggers("queueTrigger").Select(t => $"{t.Name} {t.Binding["queueName"]}").Order(StringComparer.Ordinal));
        Assert.Equal(
            catalog.Timers.Select(t => $"{t.Name} {t.Schedule}").Order(StringComparer.Ordinal),
            Triggers("timerTrigger").Select(t => $"{t.Name} {t.Binding["schedule"]}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Standalone_every_queue_and_timer_function_class_is_created_from_the_apps_services()
    {
        var catalog = api.Services.GetRequiredService<FunctionCatalog>();
        using var scope = api.Services.CreateScope();

        Assert.All(catalog.Queues.Concat<FunctionRegistration>(catalog.Timers), f =>
            Assert.NotNull(ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, f.Method.DeclaringType!)));
    }

    private static IEnumerable<(string Name, JsonObject Binding)> Triggers(string type) =>
        Metadata.Select(f => ((string)f!["name"]!, f["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => ((string?)b["direction"])?.Equals("In", StringComparison.OrdinalIgnoreCase) == true && ((string?)b["type"])!.EndsWith("Trigger", StringComparison.Ordinal))))
            .Where(t => (string?)t.Item2["type"] == type);

    private static string Route(string method, string route) => $"{method.ToUpperInvariant()} {route.TrimEnd('/')}";
}
