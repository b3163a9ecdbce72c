using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ConnectedAccounts.Storage.Azure;

namespace ConnectedAccounts.Storage.Tests.Azure;

/// <summary>
/// One Azurite for the whole test run. scripts/test.sh starts it and sets AZURITE_CONNECTION_STRING; when that
/// is missing (plain <c>dotnet test</c>) the fixture starts the pinned Azurite from tools/azurite itself, on free
/// ports with a temporary folder, and stops it on dispose.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string ConnectionStringVariable = "AZURITE_CONNECTION_STRING";

    private Process? _azurite;
    private string? _location;

    public string ConnectionString { get; private set; } = string.Empty;

    public AzureTableServiceClient Tables { get; private set; } = null!;

    public AzureQueueServiceClient Queues { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } fromScript
            ? fromScript
            : await StartAzuriteAsync();
        Tables = new AzureTableServiceClient(ConnectionString);
        Queues = new AzureQueueServiceClient(ConnectionString);
    }

    public Task DisposeAsync()
    {
        if (_azurite is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }

        if (_location is not null && Directory.Exists(_location))
        {
            Directory.Delete(_location, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>The well-known key of Azurite's devstoreaccount1 (public, in Azurite's documentation).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string UniqueTableName() => "t" + Guid.NewGuid().ToString("N")[..20];

    public static string UniqueQueueName() => "q-" + Guid.NewGuid().ToString("N")[..20];

    private async Task<string> StartAzuriteAsync()
    {
        var root = RepositoryRoot();
        var tools = Path.Combine(root, "tools", "azurite");
        var azurite = Path.Combine(tools, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], tools);
        }

        _location = Directory.CreateTempSubdirectory("azurite-").FullName;
        var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose", "--location", _location,
                     "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _azurite = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _azurite.OutputDataReceived += (_, _) => { };
        _azurite.ErrorDataReceived += (_, _) => { };
        _azurite.BeginOutputReadLine();
        _azurite.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await IsListeningAsync(queuePort) && await IsListeningAsync(tablePort)))
        {
            if (_azurite.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Azurite did not listen on {queuePort}/{tablePort} (exited: {_azurite.HasExited}).");
            }

            await Task.Delay(200);
        }

        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
               $"AccountKey={DevelopmentAccountKey};" +
               $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
               $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConnectedAccounts.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ConnectedAccounts.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}.");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
