using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// Publishes the handler once per test run the way scripts/publish.sh does (self-contained linux-x64, host.json,
/// generated function.json files) and starts it as the Functions host would: FUNCTIONS_CUSTOMHANDLER_PORT set, working
/// directory the app folder. HOST_TESTS_APP_DIR points at an already published folder (artifacts/functionapp) to skip
/// the publish. Its data folder (<see cref="DataPath"/>) is the SQLite store the process uses, so tests can read the
/// effects of an invocation there; <see cref="ClientFor"/> signs bearer tokens with the key the process was given.
/// </summary>
public sealed class PublishedHandlerFixture : IAsyncLifetime
{
    public const string Executable = "ConnectedAccounts.Functions";
    private const string Issuer = "connected-accounts-host-tests";
    private const string Audience = "connected-accounts";

    private readonly StringBuilder _output = new();
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly List<HttpClient> _clients = [];
    private string? _temp;
    private Process? _process;

    public string RepoRoot { get; } = RepositoryRoot.Path;

    public string AppDirectory { get; private set; } = "";

    public HttpClient Client { get; private set; } = new();

    /// <summary><c>Storage:DataPath</c> of the process: its SQLite file, and its e-mails under <c>mail/</c>.</summary>
    public string DataPath { get; private set; } = "";

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public async Task InitializeAsync()
    {
        _temp = Directory.CreateTempSubdirectory("host-tests-").FullName;
        AppDirectory = Environment.GetEnvironmentVariable("HOST_TESTS_APP_DIR") is { Length: > 0 } published
            ? Path.GetFullPath(published)
            : await PublishAsync(_temp);

        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(AppDirectory, Executable))
        {
            WorkingDirectory = AppDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = "http://0.0.0.0:1";
        DataPath = Path.Combine(_temp, "data");
        start.Environment["Storage__DataPath"] = DataPath;
        start.Environment["Auth__SigningKey"] = Convert.ToBase64String(_signingKey);
        start.Environment["Auth__Issuer"] = Issuer;
        start.Environment["Auth__Audience"] = Audience;
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

    /// <summary>
    /// A client of the forwarded API, signed in as <paramref name="email"/> (always the same user id for the same
    /// address) with a token the process accepts.
    /// </summary>
    public HttpClient ClientFor(string email, string name)
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Subject = new ClaimsIdentity([new Claim("sub", "usr-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)))[..16]), new Claim("email", email), new Claim("name", name)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_signingKey), SecurityAlgorithms.HmacSha256),
        });
        var client = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = Client.Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return client;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private async Task<string> PublishAsync(string workDirectory)
    {
        var appDirectory = Path.Combine(workDirectory, "functionapp");
        // No ReadyToRun here: it doubles the publish time and the contract does not depend on it. Its own artifacts
        // folder: built into the repository's bin folders, it would rewrite them (without .pdb files) while the
        // test command is still building other projects from them.
        await RunAsync("dotnet", RepoRoot, dataPath: null,
            "publish", Path.Combine(RepoRoot, "functions", "ConnectedAccounts.Functions", "ConnectedAccounts.Functions.csproj"),
            "--configuration", "Release", "--runtime", "linux-x64", "--self-contained", "true", "-p:DebugType=none",
            "--artifacts-path", Path.Combine(workDirectory, "artifacts"),
            "--output", appDirectory, "--nologo", "--verbosity", "quiet");
        File.Copy(Path.Combine(RepoRoot, "host.json"), Path.Combine(appDirectory, "host.json"));
        // As scripts/publish.sh does: the store the program starts while generating lives outside the app folder.
        await RunAsync(Path.Combine(appDirectory, Executable), appDirectory, Path.Combine(workDirectory, "generate-data"), "--generate-functions", appDirectory);
        return appDirectory;
    }

    private async Task RunAsync(string file, string workingDirectory, string? dataPath, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (dataPath is not null)
        {
            start.Environment["Storage__DataPath"] = dataPath;
        }

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
}

/// <summary>One published process for every test class that needs it: publishing it takes a minute.</summary>
[CollectionDefinition(Name)]
public sealed class PublishedHandlerCollection : ICollectionFixture<PublishedHandlerFixture>
{
    public const string Name = "Published handler";
}
