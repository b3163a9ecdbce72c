using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConnectedAccounts.Api.Tests.Infrastructure;
using ConnectedAccounts.Functions.Hosting;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>
/// The published worker under <see cref="FakeFunctionsHost"/>, checked against what the Functions host sends and
/// reads: its app folder, the handshake and function load, HTTP forwarded with the invocation id (with the
/// cross-cutting rules API.md sets for every route: authentication, problem documents, the body limit, If-Match and
/// Idempotency-Key), and queue and timer invocations. Behaviour of individual functions belongs with their features.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class WorkerContractTests(PublishedWorkerFixture worker)
{
    [Fact]
    public void The_app_folder_is_the_dotnet_isolated_layout_the_host_reads()
    {
        string[] files = ["host.json", "functions.metadata", "worker.config.json", "extensions.json", PublishedWorkerFixture.Assembly, "appsettings.json"];
        Assert.All(files, file => Assert.True(File.Exists(Path.Combine(worker.AppDirectory, file)), $"{file} is missing."));
        Assert.True(Directory.Exists(Path.Combine(worker.AppDirectory, ".azurefunctions")), ".azurefunctions/ (the host's extensions) is missing.");

        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(worker.AppDirectory, "host.json")));
        var root = host.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.False(root.TryGetProperty("customHandler", out _));
        Assert.Equal("", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.Equal(new QueueRunnerOptions().MaxDequeueCount, root.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32());

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(worker.AppDirectory, "worker.config.json")));
        Assert.Equal("dotnet-isolated", config.RootElement.GetProperty("description").GetProperty("language").GetString());

        // The store the program starts must not ship in the package.
        Assert.False(Directory.Exists(Path.Combine(worker.AppDirectory, "data")), "The app folder holds a data folder.");
    }

    [Fact]
    public void Every_function_of_the_metadata_loads_in_the_worker()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(worker.AppDirectory, "functions.metadata")));
        var declared = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, worker.Host.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(worker.Host.Functions, f => Assert.True(f.Loaded, $"{f.Name}: {f.LoadError}"));
    }

    [Fact]
    public async Task An_authenticated_call_with_a_body_and_one_with_a_route_value_reach_their_handlers()
    {
        var alice = worker.ClientFor($"alice.{Guid.NewGuid():N}@host-tests.example", "Alice");

        var created = await alice.PostAsJsonAsync("/api/accounts", new { name = "Forwarded Agency", kind = "agency" }).ExpectAsync(HttpStatusCode.Created);
        var id = (string)created["id"]!;
        var read = await alice.GetAsync(new Uri($"/api/accounts/{id}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(("Forwarded Agency", id), ((string?)read["name"], (string?)read["id"]));
        Assert.Contains(worker.FrontDoor.Invocations, i => i.Function == "GetAccount" && i.Outcome.Succeeded);
    }

    [Fact]
    public async Task An_anonymous_route_answers_and_a_protected_one_refuses_without_a_token_yet_both_invocations_end()
    {
        var health = await worker.Client.GetAsync(new Uri("/healthz", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        using var refused = await worker.Client.GetAsync(new Uri("/api/accounts", UriKind.Relative));

        Assert.Equal("ok", (string?)health["status"]);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // The 401 came from the app's pipeline inside the function, so the host sees the invocation end, not time out.
        Assert.Contains(worker.FrontDoor.Invocations, i => i.Function == "ListSwitcher" && i.Outcome.Succeeded);
    }

    [Fact]
    public async Task Malformed_json_is_a_problem_document_not_a_500()
    {
        var alice = worker.ClientFor($"alice.{Guid.NewGuid():N}@host-tests.example", "Alice");
        using var content = new StringContent("{\"name\": ", Encoding.UTF8, "application/json");

        using var response = await alice.PostAsync(new Uri("/api/accounts", UriKind.Relative), content);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith("/malformed-request", (string?)problem["type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_a_stale_if_match_and_a_repeated_idempotency_key_answer_as_api_md_says()
    {
        var alice = worker.ClientFor($"alice.{Guid.NewGuid():N}@host-tests.example", "Alice");
        var account = await alice.PostAsJsonAsync("/api/accounts", new { name = "Limits", kind = "client" }).ExpectAsync(HttpStatusCode.Created);
        var id = (string)account["id"]!;

        // 64 KiB is the body limit: one byte over is 413 with a problem document, and nothing is created.
        using var tooLarge = new StringContent($"{{\"name\": \"{new string('x', 64 * 1024)}\"}}", Encoding.UTF8, "application/json");
        using var refused = await alice.PostAsync(new Uri($"/api/accounts/{id}/reports", UriKind.Relative), tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.EndsWith("/body-too-large", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["type"], StringComparison.Ordinal);

        // An If-Match read before a change is 412 afterwards, and the change it would have made is not made.
        using var read = await alice.GetAsync(new Uri($"/api/accounts/{id}", UriKind.Relative));
        var stale = read.Headers.ETag!.ToString();
        using (var renamed = await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Renamed" }, stale))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        using var late = await alice.PatchJsonAsync($"/api/accounts/{id}", new { name = "Late" }, stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, late.StatusCode);
        Assert.EndsWith("/precondition-failed", (string?)JsonNode.Parse(await late.Content.ReadAsStringAsync())!["type"], StringComparison.Ordinal);

        // The same Idempotency-Key twice: the first response again, marked as a replay, and one report.
        var key = Guid.NewGuid().ToString("N");
        using var first = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Once" }, idempotencyKey: key);
        using var second = await alice.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{id}/reports", new { name = "Once" }, idempotencyKey: key);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());

        var reports = await alice.GetAsync(new Uri($"/api/accounts/{id}/reports", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Once"], reports["items"]!.AsArray().Select(r => (string?)r!["name"]));
        var after = await alice.GetAsync(new Uri($"/api/accounts/{id}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed", (string?)after["name"]);
    }

    [Fact]
    public async Task A_queue_message_its_function_cannot_take_fails_the_invocation_so_the_host_retries_and_poisons()
    {
        var outcome = await worker.Host.InvokeQueueAsync("EmailSender", "this is not an e-mail request");

        Assert.False(outcome.Succeeded);
        Assert.False(string.IsNullOrEmpty(outcome.ExceptionMessage));
    }

    [Fact]
    public async Task Every_timer_function_runs_on_a_tick()
    {
        foreach (var timer in worker.Host.Functions.Where(f => f.TriggerType == "timerTrigger"))
        {
            var outcome = await worker.Host.InvokeTimerAsync(timer.Name);

            Assert.True(outcome.Succeeded, $"{timer.Name}: {outcome.ExceptionMessage}\n{worker.Output}");
        }
    }
}
