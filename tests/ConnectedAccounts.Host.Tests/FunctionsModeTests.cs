using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The program in Functions mode, in-process, with one queue and one timer function registered by the test, so the
/// contract is exercised whatever functions the product has at the time.
/// </summary>
public sealed class FunctionsModeFactory : WebApplicationFactory<Program>
{
    public InvocationLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting(FunctionsHostMode.PortVariable, "7071");
        builder.UseSetting("Functions:RunBackgroundJobs", "false");
        builder.ConfigureServices(services => services
            .AddSingleton(Log)
            .AddQueueFunction<RecordingQueueFunction>("TestRecorder", "test-recorder")
            .AddTimerFunction<RecordingTimerFunction>("TestTicker", "Schedules:TestTicker", "0 */5 * * * *"));
    }
}

public sealed class FunctionsModeTests(FunctionsModeFactory factory) : IClassFixture<FunctionsModeFactory>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_readiness_probe_answers_200()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_queue_invocation_runs_the_handler_with_the_decoded_message_and_metadata()
    {
        var id = Guid.NewGuid().ToString("N");
        var body = $$"""{"Data":{"message":"\"{\\\"order\\\":\\\"{{id}}\\\"}\""},"Metadata":{"DequeueCount":"2","Id":"\"{{id}}\"","InsertionTime":"\"2026-11-23T10:00:00+00:00\"","PopReceipt":"\"r\"","sys":{"MethodName":"TestRecorder"} } }""";

        var response = await factory.CreateClient().PostAsync(new Uri("/TestRecorder", UriKind.Relative), Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync(HostingJsonContext.Default.FunctionInvocationResponse);
        Assert.NotNull(answer);
        Assert.Empty(answer.Outputs);
        Assert.Null(answer.ReturnValue);
        Assert.NotEmpty(answer.Logs);
        using var raw = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], raw.RootElement.EnumerateObject().Select(p => p.Name));
        var invocation = Assert.Single(factory.Log.Queue, i => i.MessageId == id);
        Assert.Equal($$"""{"order":"{{id}}"}""", invocation.MessageText);
        Assert.Equal(2, invocation.DequeueCount);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), invocation.InsertedOn);
    }

    [Fact]
    public async Task A_failing_handler_answers_500_so_the_host_retries_and_poisons()
    {
        var body = """{"Data":{"message":"\"fail\""},"Metadata":{"DequeueCount":"5"}}""";

        var response = await factory.CreateClient().PostAsync(new Uri("/TestRecorder", UriKind.Relative), Json(body));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync(HostingJsonContext.Default.FunctionInvocationResponse);
        Assert.Contains(answer!.Logs, l => l.Contains("the handler refused", StringComparison.Ordinal));
        Assert.DoesNotContain(answer.Logs, l => l.Contains(" at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Data":{},"Metadata":{}}""")]
    [InlineData("""{"Data":{"message":"\"x\""},"Metadata":{"DequeueCount":"-1"}}""")]
    public async Task A_malformed_queue_invocation_answers_400_and_runs_nothing(string body)
    {
        var before = factory.Log.Queue.Count;

        var response = await factory.CreateClient().PostAsync(new Uri("/TestRecorder", UriKind.Relative), Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, factory.Log.Queue.Count);
    }

    [Fact]
    public async Task A_timer_invocation_runs_the_timer_with_its_schedule_status()
    {
        var body = """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-23T09:55:00+00:00","Next":"2026-11-23T10:00:00+00:00","LastUpdated":"2026-11-23T09:55:00+00:00"},"IsPastDue":true}},"Metadata":{"sys":{"MethodName":"TestTicker"}}}""";

        var response = await factory.CreateClient().PostAsync(new Uri("/TestTicker", UriKind.Relative), Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(new TimerInvocation(true, new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)), factory.Log.Timer);
    }

    [Fact]
    public async Task An_unknown_function_answers_404()
    {
        var response = await factory.CreateClient().PostAsync(new Uri("/NoSuchFunction", UriKind.Relative), Json("""{"Data":{},"Metadata":{}}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Invocation_routes_never_become_http_functions()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>();
        var catalog = factory.Services.GetRequiredService<FunctionCatalog>();

        var functions = FunctionDefinitions.Build(catalog, endpoints);

        Assert.Contains(functions, f => f.Name == "TestRecorder" && f.Bindings.Single().Type == "queueTrigger");
        Assert.Contains(functions, f => f.Name == "TestTicker" && f.Bindings.Single().Properties.Contains(new("schedule", "%Schedules:TestTicker%")));
        var routes = functions.SelectMany(f => f.Bindings).SelectMany(b => b.Properties).Where(p => p.Key == "route").Select(p => (string)p.Value);
        Assert.DoesNotContain(routes, r => r.StartsWith("TestRecorder", StringComparison.OrdinalIgnoreCase) || r.Length == 0);
    }
}

public sealed class StandaloneModeTests
{
    [Fact]
    public async Task Standalone_the_invocation_routes_and_the_probe_do_not_exist()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Functions:RunBackgroundJobs", "false");
            builder.ConfigureServices(services => services
                .AddSingleton(new InvocationLog())
                .AddQueueFunction<RecordingQueueFunction>("TestRecorder", "test-recorder"));
        });
        var client = factory.CreateClient();

        var invoke = await client.PostAsync(new Uri("/TestRecorder", UriKind.Relative), new StringContent("""{"Data":{"message":"\"x\""}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, invoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }
}
