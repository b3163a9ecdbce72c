using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// Publishes the handler once per test run the way scripts/publish.sh does (self-contained linux-x64, host.json,
/// generated function.json files) and starts it as the Functions host would: FUNCTIONS_CUSTOMHANDLER_PORT set, working
/// directory the app folder. HOST_TESTS_APP_DIR points at an already published folder (artifacts/functionapp) to skip
/// the publish.
/// </summary>
public sealed class PublishedHandlerFixture : IAsyncLifetime
{
    public const string Executable = "ConnectedAccounts.Functions";

    private readonly StringBuilder _output = new();
    private string? _temp;
    private Process? _process;

    public string RepoRoot { get; } = FindRepoRoot();

    public string AppDirectory { get; private set; } = "";

    public HttpClient Client { get; private set; } = new();

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public async Task InitializeAsync()
    {
        _temp = Directory.CreateTempSubdirectory("host-tests-").FullName;
        AppDirectory = Environment.GetEnvironmentVariable("HOST_TESTS_APP_DIR") is { Length: > 0 } published
            ? Path.GetFullPath(published)
            : await PublishAsync(Path.Combine(_temp, "functionapp"));

        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppDirectory, Executable))
        {
            WorkingDirectory = AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:1";
        start.Environment["Storage__DataPath"] = Path.Combine(_temp, "data");
        _process = Start(start);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };

        // The host gives a custom handler 60 seconds to answer GET /.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await Client.GetAsync(new Uri("/", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
                continue;
            }

            throw new InvalidOperationException($"The handler did not become ready.\n{Output}");
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private async Task<string> PublishAsync(string appDirectory)
    {
        // No ReadyToRun here: it doubles the publish time and the contract does not depend on it.
        await RunAsync("dotnet", RepoRoot,
            "publish", Path.Combine(RepoRoot, "functions", "ConnectedAccounts.Functions", "ConnectedAccounts.Functions.csproj"),
            "--configuration", "Release", "--runtime", "linux-x64", "--self-contained", "true", "-p:DebugType=none",
            "--output", appDirectory, "--nologo", "--verbosity", "quiet");
        File.Copy(Path.Combine(RepoRoot, "host.json"), Path.Combine(appDirectory, "host.json"));
        await RunAsync(Path.Combine(appDirectory, Executable), appDirectory, "--generate-functions", appDirectory);
        return appDirectory;
    }

    private async Task RunAsync(string file, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Start(start);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}.\n{Output}");
        }
    }

    private Process Start(ProcessStartInfo start)
    {
        var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ConnectedAccounts.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ConnectedAccounts.sln not found above the test output folder.");
    }
}
