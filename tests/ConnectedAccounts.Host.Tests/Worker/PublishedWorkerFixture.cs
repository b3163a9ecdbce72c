using System.Diagnostics;
using System.Net.Http.Headers;

namespace ConnectedAccounts.Host.Tests.Worker;

/// <summary>
/// Publishes the function app once per test run as scripts/publish.sh does (framework-dependent here: the contract
/// does not depend on ReadyToRun) and runs it under <see cref="FakeFunctionsHost"/>, which starts the worker as the
/// Functions host does. HOST_TESTS_APP_DIR points at an already published folder (artifacts/functionapp) to skip the
/// publish. <see cref="DataPath"/> is the SQLite store the worker uses, so tests can read the effects of an invocation
/// there; <see cref="ClientFor"/> signs bearer tokens with the key the worker was given (<see cref="WorkerTokens"/>), and its requests reach the
/// worker through <see cref="FunctionsFrontDoor"/>, as through the host's HTTP front end.
/// </summary>
public sealed class PublishedWorkerFixture : IAsyncLifetime
{
    public const string Assembly = "ConnectedAccounts.Functions.dll";

    private readonly WorkerTokens _tokens = new();
    private readonly List<HttpClient> _clients = [];
    private string? _temp;

    public string RepoRoot { get; } = RepositoryRoot.Path;

    public string AppDirectory { get; private set; } = "";

    /// <summary><c>Storage:DataPath</c> of the worker: its SQLite file, and its e-mails under <c>mail/</c>.</summary>
    public string DataPath { get; private set; } = "";

    public FakeFunctionsHost Host { get; private set; } = null!;

    public FunctionsFrontDoor FrontDoor { get; private set; } = null!;

    /// <summary>A client without credentials.</summary>
    public HttpClient Client { get; private set; } = new();

    public string Output => Host.WorkerOutput;

    public async Task InitializeAsync()
    {
        _temp = Directory.CreateTempSubdirectory("host-tests-").FullName;
        AppDirectory = Environment.GetEnvironmentVariable("HOST_TESTS_APP_DIR") is { Length: > 0 } published
            ? Path.GetFullPath(published)
            : await PublishAsync(_temp);
        DataPath = Path.Combine(_temp, "data");
        Host = await FakeFunctionsHost.StartAsync(
            AppDirectory, Assembly, new Dictionary<string, string?>(_tokens.Settings) { ["Storage__DataPath"] = DataPath }, CancellationToken.None);
        FrontDoor = new FunctionsFrontDoor(Host);
        Client = NewClient();
    }

    /// <summary>
    /// A client signed in as <paramref name="email"/> (always the same user id for the same address) with a token the
    /// worker accepts.
    /// </summary>
    public HttpClient ClientFor(string email, string name)
    {
        var client = NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.For(email, name));
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_temp is not null)
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private HttpClient NewClient()
    {
        var client = new HttpClient(FrontDoor, disposeHandler: false) { BaseAddress = new Uri("http://functions.test/"), Timeout = TimeSpan.FromSeconds(60) };
        _clients.Add(client);
        return client;
    }

    private async Task<string> PublishAsync(string workDirectory)
    {
        var appDirectory = Path.Combine(workDirectory, "functionapp");
        // Its own artifacts folder: built into the repository's bin folders, it would rewrite them (without .pdb
        // files) while the test command is still building other projects from them.
        var publish = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "publish", Path.Combine(RepoRoot, "functions", "ConnectedAccounts.Functions", "ConnectedAccounts.Functions.csproj"),
            "--configuration", "Release", "-p:DebugType=none", "--artifacts-path", Path.Combine(workDirectory, "artifacts"),
            "--output", appDirectory, "--nologo", "--verbosity", "quiet",
        })
        {
            publish.ArgumentList.Add(argument);
        }

        var run = await ChildProcess.RunAsync(publish, TimeSpan.FromMinutes(5));
        return run.ExitCode == 0 ? appDirectory : throw new InvalidOperationException($"dotnet publish exited with {run.ExitCode}.\n{run.Output}");
    }
}

/// <summary>One published worker for every test class that needs it: publishing it takes a minute.</summary>
[CollectionDefinition(Name)]
public sealed class PublishedWorkerCollection : ICollectionFixture<PublishedWorkerFixture>
{
    public const string Name = "Published worker";
}
