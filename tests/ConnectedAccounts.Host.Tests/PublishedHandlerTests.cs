using System.Net;
using System.Text;
using System.Text.Json;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The published handler, run as a real process in Functions mode, checked against what the Functions host sends and
/// reads. These tests read the functions from the generated function.json files, so they cover whatever the catalog
/// and the endpoints hold; behaviour of individual functions belongs with their features.
/// </summary>
[Collection(PublishedHandlerCollection.Name)]
public sealed class PublishedHandlerTests(PublishedHandlerFixture handler)
{
    private sealed record Function(string Name, JsonElement Trigger, int BindingCount);

    private IReadOnlyList<Function> Functions() =>
        Directory.EnumerateFiles(handler.AppDirectory, FunctionDefinitions.FileName, SearchOption.AllDirectories)
            .Select(path =>
            {
                using var json = JsonDocument.Parse(File.ReadAllText(path));
                var bindings = json.RootElement.GetProperty("bindings");
                return new Function(Path.GetFileName(Path.GetDirectoryName(path))!, bindings[0].Clone(), bindings.GetArrayLength());
            })
            .ToList();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_app_folder_has_host_json_the_executable_and_its_native_sqlite_library()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(handler.AppDirectory, "host.json")));
        var root = host.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.Equal(PublishedHandlerFixture.Executable, root.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(root.GetProperty("customHandler").GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("[4.*, 5.0.0)", root.GetProperty("extensionBundle").GetProperty("version").GetString());
        Assert.Equal("", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal(new QueueRunnerOptions().MaxDequeueCount, root.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());

        // The host's own Azure SDK clients (queue polling, blob locks, identity) log every request at Information.
        var logLevels = root.GetProperty("logging").GetProperty("logLevel");
        Assert.All(new[] { "Azure.Core", "Azure.Storage", "Azure.Identity" }, category => Assert.Equal("Warning", logLevels.GetProperty(category).GetString()));

        var executable = Path.Combine(handler.AppDirectory, PublishedHandlerFixture.Executable);
        Assert.True(File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.Exists(Path.Combine(handler.AppDirectory, "libe_sqlite3.so")));

        // Generating the function.json files starts the store; its database must not ship in the package.
        Assert.False(Directory.Exists(Path.Combine(handler.AppDirectory, "data")), "The app folder holds a data folder.");
    }

    [Fact]
    public void Every_function_json_has_a_unique_valid_name_and_the_binding_shape_its_trigger_needs()
    {
        var functions = Functions();

        Assert.NotEmpty(functions);
        Assert.Equal(functions.Count, functions.Select(f => f.Name.ToUpperInvariant()).Distinct().Count());
        Assert.All(functions, f =>
        {
            Assert.True(FunctionCatalog.IsValidFunctionName(f.Name), f.Name);
            Assert.Equal("in", f.Trigger.GetProperty("direction").GetString());
            switch (f.Trigger.GetProperty("type").GetString())
            {
                case "httpTrigger":
                    // Forwarding needs exactly one http trigger and one http output.
                    Assert.Equal(2, f.BindingCount);
                    Assert.Equal("anonymous", f.Trigger.GetProperty("authLevel").GetString());
                    Assert.False(f.Trigger.GetProperty("route").GetString()!.StartsWith('/'));
                    break;
                case "queueTrigger":
                    Assert.Equal(1, f.BindingCount);
                    Assert.Equal(InvocationPayload.QueueBindingName, f.Trigger.GetProperty("name").GetString());
                    Assert.True(FunctionCatalog.IsValidQueueName(f.Trigger.GetProperty("queueName").GetString()!));
                    break;
                case "timerTrigger":
                    Assert.Equal(1, f.BindingCount);
                    Assert.Equal(InvocationPayload.TimerBindingName, f.Trigger.GetProperty("name").GetString());
                    Assert.Matches("^%[A-Za-z0-9]+(:[A-Za-z0-9]+)*%$", f.Trigger.GetProperty("schedule").GetString());
                    break;
                default:
                    Assert.Fail($"{f.Name} has an unexpected trigger.");
                    break;
            }
        });
    }

    [Fact]
    public async Task Every_endpoint_of_the_program_is_covered_by_a_generated_http_route()
    {
        // Like for like: the function definitions are generated in Production, where no dev-token route exists.
        var data = Directory.CreateTempSubdirectory("ca-host-endpoints-");
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseEnvironment("Production")
            .UseSetting("Storage:DataPath", data.FullName)
            .UseSetting("Functions:RunBackgroundJobs", "false"));
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<FunctionsHostEndpointMetadata>() is null)
            .ToList();
        var routes = Functions().Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => (Route: f.Trigger.GetProperty("route").GetString()!, Methods: f.Trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!).ToList() : null))
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, endpoint =>
        {
            var path = SamplePath(endpoint.RoutePattern);
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? [];
            Assert.Contains(routes, r => Covers(r.Route, path) && (r.Methods is null || methods.All(m => r.Methods.Contains(m.ToLowerInvariant()))));
        });
    }

    [Fact]
    public async Task A_forwarded_healthz_request_is_served_on_its_original_path()
    {
        var response = await handler.Client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_forwarded_request_for_an_unknown_api_path_answers_404()
    {
        var response = await handler.Client.GetAsync(new Uri("/api/no-such-resource", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_invocation_of_an_unknown_function_answers_404()
    {
        var response = await handler.Client.PostAsync(new Uri("/NoSuchFunction", UriKind.Relative), Json("""{"Data":{},"Metadata":{}}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Every_queue_function_refuses_a_malformed_invocation_with_a_non_2xx()
    {
        foreach (var function in Functions().Where(f => f.Trigger.GetProperty("type").GetString() == "queueTrigger"))
        {
            var response = await handler.Client.PostAsync(new Uri($"/{function.Name}", UriKind.Relative),
                Json("""{"Data":{"message":12},"Metadata":{"DequeueCount":"1","Id":"\"m1\""}}"""));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Every_timer_function_runs_when_the_host_invokes_it_with_its_schedule_status()
    {
        foreach (var function in Functions().Where(f => f.Trigger.GetProperty("type").GetString() == "timerTrigger"))
        {
            var response = await handler.Client.PostAsync(new Uri($"/{function.Name}", UriKind.Relative), Json($$"""
                {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-23T09:00:00+00:00","Next":"2026-11-23T10:00:00+00:00","LastUpdated":"2026-11-23T09:00:00+00:00"},"IsPastDue":false} },"Metadata":{"sys":{"MethodName":"{{function.Name}}","UtcNow":"2026-11-23T10:00:00Z"} } }
                """));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{function.Name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(JsonValueKind.Object, answer.RootElement.GetProperty("Outputs").ValueKind);
            Assert.Equal(JsonValueKind.Array, answer.RootElement.GetProperty("Logs").ValueKind);
        }
    }

    /// <summary>A concrete path the pattern matches: every parameter replaced by a sample value.</summary>
    private static string SamplePath(RoutePattern pattern) => string.Join('/', pattern.PathSegments.Select(s =>
        string.Concat(s.Parts.Select(p => p is RoutePatternLiteralPart literal ? literal.Content : "x1"))));

    /// <summary>The host's route template semantics for the shapes we generate: literals, and a trailing catch-all.</summary>
    private static bool Covers(string route, string path) =>
        route.EndsWith("/{*rest}", StringComparison.Ordinal)
            ? path == route[..^8] || path.StartsWith(route[..^7], StringComparison.Ordinal)
            : path == route;
}
