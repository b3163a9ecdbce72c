using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace ConnectedAccounts.Benchmarks;

/// <summary>
/// Starts the real service (standalone, SQLite, Release build) as its own process on loopback, sets up an agency
/// connected to a client with reports, then loads two endpoints of that one process in alternating rounds: the
/// bare liveness endpoint (no auth, no storage) and an agency user's authorised <c>GET …/reports</c>. Prints the
/// median requests per second of each and the median of each round's ratio to the bare endpoint.
/// </summary>
public static class HttpLoadRun
{
    public static async Task<int> RunAsync(string appDll, string[] options)
    {
        var seconds = Option(options, "--seconds", 3);
        var concurrency = Option(options, "--concurrency", 16);
        var rounds = Option(options, "--rounds", 11);
        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("ca-bench-");
        appDll = Path.GetFullPath(appDll);
        using var app = Process.Start(new ProcessStartInfo("dotnet", [appDll, "--urls", $"http://127.0.0.1:{port}", "--Storage:DataPath", data.FullName, "--Auth:DevTokens", "true"])
        {
            // The app's folder, where its appsettings.json (with the timers' schedules) is, as `dotnet run` and the host start it.
            WorkingDirectory = Path.GetDirectoryName(appDll),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Logging__LogLevel__Default"] = "Warning" },
        })!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitForAsync(http);
            var (agencyToken, clientId) = await SetUpAsync(http);
            var authorised = new Target("authorised GET /api/accounts/{client}/reports (agency user)", $"/api/accounts/{clientId}/reports", agencyToken);
            var bare = new Target("bare GET /livez", "/livez", null);

            // The same authorisation without the list, to tell the decision's cost from the listing's.
            var decisionOnly = new Target("authorised GET /api/accounts/{client}/permissions (agency user)", $"/api/accounts/{clientId}/permissions", agencyToken);
            Target[] targets = [bare, authorised, decisionOnly];
            foreach (var target in targets)
            {
                await LoadAsync(http, target, 5, concurrency);
            }

            var results = targets.ToDictionary(t => t, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in targets)
                {
                    results[target].Add(await LoadAsync(http, target, seconds, concurrency));
                }
            }

            // Each round loads the targets one after another, so a round's ratio compares moments close together; the
            // median of those ratios shrugs off a slow round better than a ratio of medians taken across the run.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concurrency {concurrency}, {rounds} rounds of {seconds} s each; medians of requests/s and of each round's ratio to bare:"));
            foreach (var target in targets)
            {
                var ratios = results[target].Select((rps, round) => rps / results[bare][round]).ToList();
                var perRound = string.Join(", ", results[target].Select((rps, round) => string.Create(CultureInfo.InvariantCulture, $"{rps:F0} ({ratios[round]:P0})")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {target.Name}: {BenchmarkApi.Median(results[target]):F0}/s = {BenchmarkApi.Median(ratios):P0} of bare  (rounds: {perRound})"));
            }

            return 0;
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
            data.Delete(recursive: true);
        }
    }

    private sealed record Target(string Name, string Path, string? Token);

    private static async Task<double> LoadAsync(HttpClient http, Target target, int seconds, int concurrency)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var ok = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target.Path);
                if (target.Token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
                }

                using var response = await http.SendAsync(request);
                await response.Content.LoadIntoBufferAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{target.Name} answered {(int)response.StatusCode}.");
                }

                ok++;
            }

            return ok;
        }));
        return counts.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<(string AgencyToken, string ClientId)> SetUpAsync(HttpClient http)
    {
        var alice = await TokenAsync(http, "alice@agency.test");
        var carol = await TokenAsync(http, "carol@client.test");
        return (alice, await BenchmarkApi.ConnectClientWithReportsAsync(http, alice, carol));
    }

    private static async Task<string> TokenAsync(HttpClient http, string email) =>
        (string)(await BenchmarkApi.PostAsync(http, null, "/api/dev/tokens", new { email }))["token"]!;

    private static async Task WaitForAsync(HttpClient http)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/livez")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The service did not start.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Option(string[] options, string name, int fallback)
    {
        var index = Array.IndexOf(options, name);
        return index >= 0 && index + 1 < options.Length ? int.Parse(options[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
