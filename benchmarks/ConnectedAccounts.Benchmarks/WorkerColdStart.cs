using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ConnectedAccounts.Host.Tests.Worker;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// Cold start under the Functions host: the test suite's fake host (<see cref="FakeFunctionsHost"/>) starts a
/// published worker as the host does, loads its functions and forwards HTTP through <see cref="FunctionsFrontDoor"/>.
/// Three targets, in alternating runs so they see the same machine: the bare worker's first answer to
/// <c>GET ping</c>; the function app's first answer to <c>GET healthz</c>; and, in a process of its own, the app's
/// first answer to an agency user's <c>GET api/accounts/{client}/reports</c> (20 reports, on a copy of a store set up
/// once through the API). Prints each target's runs and medians (functions loaded, first 200) and the ratios of the
/// app's medians to the bare worker's, with the load average before and after.
/// </summary>
public static class WorkerColdStart
{
    private const string AppAssembly = "ConnectedAccounts.Functions.dll";
    private const string BareAssembly = "BareWorker.dll";

    private static readonly Dictionary<string, string?> Quiet = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public static async Task<int> RunAsync(string appDirectory, string bareDirectory, string[] options)
    {
        var runs = int.Parse(BenchmarkArgs.Option(options, "--runs") ?? "7", CultureInfo.InvariantCulture);
        var tokens = new WorkerTokens();
        var work = Directory.CreateTempSubdirectory("ca-worker-coldstart-");
        try
        {
            var seed = Path.Combine(work.FullName, "seed");
            var (agencyToken, clientId) = await SeedAsync(appDirectory, tokens, seed);
            var copies = 0;
            Dictionary<string, string?> AppSettings()
            {
                var data = Path.Combine(work.FullName, $"run-{++copies}");
                CopyDirectory(seed, data);
                return new Dictionary<string, string?>(tokens.Settings.Concat(Quiet)) { ["Storage__DataPath"] = data };
            }

            Target[] targets =
            [
                new("bare worker, GET ping", bareDirectory, BareAssembly, () => new(Quiet), http => http.GetAsync(new Uri("ping", UriKind.Relative))),
                new("app, GET healthz", appDirectory, AppAssembly, AppSettings, http => http.GetAsync(new Uri("healthz", UriKind.Relative))),
                new("app, authorised GET api/accounts/{client}/reports", appDirectory, AppAssembly, AppSettings, http =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"api/accounts/{clientId}/reports", UriKind.Relative));
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agencyToken);
                    return http.SendAsync(request);
                }),
            ];

            var loadBefore = LoadAverage();
            // One warm-up of each, so the first measured run does not pay for the OS file cache.
            foreach (var target in targets)
            {
                await ColdStartAsync(target);
            }

            var samples = targets.ToDictionary(t => t, _ => new List<Sample>());
            for (var run = 0; run < runs; run++)
            {
                foreach (var target in targets)
                {
                    samples[target].Add(await ColdStartAsync(target));
                }
            }

            Console.WriteLine($"load average before: {loadBefore}; after: {LoadAverage()}; {runs} alternating runs, ms from process start:");
            var bare = BenchmarkApi.Median(samples[targets[0]].Select(s => s.Answered));
            foreach (var target in targets)
            {
                var answered = BenchmarkApi.Median(samples[target].Select(s => s.Answered));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {target.Name}: functions loaded {BenchmarkApi.Median(samples[target].Select(s => s.Loaded)):F0}, first 200 {answered:F0} ({answered / bare:F2}x bare)  (first 200 per run: {string.Join(", ", samples[target].Select(s => s.Answered.ToString("F0", CultureInfo.InvariantCulture)))})"));
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            work.Delete(recursive: true);
        }
    }

    private sealed record Target(
        string Name, string Directory, string Assembly, Func<Dictionary<string, string?>> Environment, Func<HttpClient, Task<HttpResponseMessage>> FirstCall);

    private sealed record Sample(double Loaded, double Answered);

    private static async Task<Sample> ColdStartAsync(Target target)
    {
        await using var host = await FakeFunctionsHost.StartAsync(target.Directory, target.Assembly, target.Environment(), CancellationToken.None);
        var loaded = host.Started.TotalMilliseconds;
        using var http = new HttpClient(new FunctionsFrontDoor(host)) { BaseAddress = new Uri("http://functions.test/") };
        using var response = await target.FirstCall(http);
        var answered = host.SinceProcessStart.TotalMilliseconds;
        return response.StatusCode == HttpStatusCode.OK
            ? new Sample(loaded, answered)
            : throw new InvalidOperationException($"{target.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{host.WorkerOutput}");
    }

    /// <summary>
    /// Under the fake host, through the API: an agency connected to a client with 20 reports, as the loopback load run
    /// sets it up. Returns the agency user's token and the client's id.
    /// </summary>
    private static async Task<(string AgencyToken, string ClientId)> SeedAsync(string appDirectory, WorkerTokens tokens, string dataPath)
    {
        await using var host = await FakeFunctionsHost.StartAsync(
            appDirectory, AppAssembly, new Dictionary<string, string?>(tokens.Settings.Concat(Quiet)) { ["Storage__DataPath"] = dataPath }, CancellationToken.None);
        using var http = new HttpClient(new FunctionsFrontDoor(host)) { BaseAddress = new Uri("http://functions.test/") };
        var alice = tokens.For("alice@agency.test", "Alice");
        return (alice, await BenchmarkApi.ConnectClientWithReportsAsync(http, alice, tokens.For("carol@client.test", "Carol")));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories).Prepend(from))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
