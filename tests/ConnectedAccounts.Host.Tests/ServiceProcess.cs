using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The service as a developer runs it: <c>dotnet ConnectedAccounts.Functions.dll</c> (the build this test project
/// references, copied beside it), standalone, Development, SQLite in <c>dataPath</c>, dev tokens on, on a free
/// loopback port. Queue leases and the outbox sweep are set short through ordinary configuration so a restarted
/// process picks up a killed one's message within seconds rather than minutes.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly List<HttpClient> _clients = [];
    private readonly StringBuilder _log = new();

    private ServiceProcess(Process process, Uri baseAddress, ITestOutputHelper output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    public Uri BaseAddress { get; }

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>
    /// Starts the service and waits until it answers. <paramref name="environment"/> changes the process's environment
    /// variables after the defaults (a null value removes one); <paramref name="settings"/> (<c>--key=value</c>) follow the default settings.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string dataPath, ITestOutputHelper output, IReadOnlyDictionary<string, string?>? environment = null, IEnumerable<string>? settings = null)
    {
        var port = FreePort();
        var process = new Process { StartInfo = StartInfo(dataPath, port, settings ?? []) };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            process.StartInfo.Environment[name] = value;
            if (value is null)
            {
                process.StartInfo.Environment.Remove(name);
            }
        }

        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}/"), output);
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (service._log)
                {
                    service._log.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await probe.GetAsync(new Uri("/livez", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                {
                    output.WriteLine($"service pid {process.Id} ready on port {port} after {deadline.Elapsed.TotalSeconds:F1} s");
                    return service;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                await Task.Delay(50);
                continue;
            }

            throw new InvalidOperationException($"The service did not become ready.\n{service.Log}");
        }
    }

    /// <summary>
    /// Runs the service with <paramref name="settings"/> (<c>--key=value</c>, after the defaults above) until it exits
    /// by itself, for settings that must stop it starting. A process still running after a minute is killed and
    /// reported as such.
    /// </summary>
    /// <param name="workingDirectory">Where the process starts; by default the app's folder, as `dotnet run` starts it.</param>
    public static async Task<(int ExitCode, string Log)> RunUntilExitAsync(string dataPath, IEnumerable<string> settings, string? workingDirectory = null)
    {
        var start = StartInfo(dataPath, FreePort(), settings);
        start.WorkingDirectory = workingDirectory ?? start.WorkingDirectory;
        var run = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(1));
        return run.TimedOut
            ? throw new InvalidOperationException($"The service was still running after a minute.\n{run.Output}")
            : (run.ExitCode, run.Output);
    }

    private static ProcessStartInfo StartInfo(string dataPath, int port, IEnumerable<string> settings)
    {
        var appDirectory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            Path.Combine(appDirectory, "ConnectedAccounts.Functions.dll"),
            "--urls", $"http://127.0.0.1:{port}",
            "--Storage:Provider", "Sqlite",
            "--Storage:DataPath", dataPath,
            "--Auth:DevTokens", "true",
            "--Queues:MessageLease", "00:00:05",
            "--Queues:VisibilityTimeout", "00:00:01",
            "--Queues:MaxPollingInterval", "00:00:00.250",
            "--Schedules:OutboxSweep", "*/2 * * * * *",
            // E-mail links open this process, as the default does for `dotnet run` on port 5080.
            "--Email:PublicBaseUrl", $"http://127.0.0.1:{port}",
        }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment.Remove("FUNCTIONS_CUSTOMHANDLER_PORT");
        start.Environment.Remove("ASPNETCORE_URLS");
        return start;
    }

    /// <summary>A client signed in with a dev token; tokens stay valid across restarts (the key lives in the data folder).</summary>
    public async Task<HttpClient> SignInAsync(string email, string name)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        var token = await client.PostAsJsonAsync("/api/dev/tokens", new { email, name }).ExpectAsync(HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)token["token"]!);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, whatever was in flight is cut off.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _output.WriteLine($"service pid {_process.Id} killed");
        var errors = Log;
        if (errors.Length > 0)
        {
            _output.WriteLine(errors.Length > 4000 ? errors[..4000] + "…" : errors);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A program run to its end, its output and errors collected; one still running at the limit is killed.</summary>
public static class ChildProcess
{
    public sealed record Run(int ExitCode, string Output, bool TimedOut);

    public static async Task<Run> RunAsync(ProcessStartInfo start, TimeSpan limit)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(limit);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new Run(process.ExitCode, await output + await errors, timedOut);
    }
}

public static class HttpExpectations
{
    /// <summary>Asserts the status (showing the body when it differs) and returns the JSON body.</summary>
    public static async Task<JsonNode> ExpectAsync(this Task<HttpResponseMessage> request, HttpStatusCode expected)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body)!;
    }
}
