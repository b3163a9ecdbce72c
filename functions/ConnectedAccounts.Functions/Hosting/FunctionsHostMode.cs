using System.Globalization;

namespace ConnectedAccounts.Functions.Hosting;

public enum FunctionsHostModeKind
{
    /// <summary><c>dotnet run</c>: HTTP routes only, queues and timers run in-process.</summary>
    Standalone,

    /// <summary>Under the Functions host: it owns the triggers and calls us on loopback.</summary>
    FunctionsHost,

    /// <summary><c>--generate-functions &lt;dir&gt;</c>: write the function.json files and exit.</summary>
    GenerateFunctions,

    /// <summary>
    /// Started by the Functions host as its isolated worker (<c>--functions-uri</c>): the host owns the triggers, calls
    /// the functions over gRPC and forwards HTTP to the worker's ASP.NET Core server.
    /// </summary>
    Worker,
}

/// <summary>How this process was started, decided once from configuration (environment and command line).</summary>
public sealed record FunctionsHostMode(FunctionsHostModeKind Kind, int? Port, string? OutputDirectory)
{
    /// <summary>Set by the Functions host for a custom handler.</summary>
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The command-line switch <c>--generate-functions &lt;dir&gt;</c>, seen by configuration as this key.</summary>
    public const string GenerateKey = "generate-functions";

    /// <summary>The command-line switch the Functions host starts an isolated worker with, seen by configuration as this key.</summary>
    public const string WorkerKey = "functions-uri";

    public static bool IsWorker(string[] args) => new ConfigurationBuilder().AddCommandLine(args).Build()[WorkerKey] is { Length: > 0 };

    public static FunctionsHostMode From(IConfiguration configuration)
    {
        if (configuration[WorkerKey] is { Length: > 0 })
        {
            return new(FunctionsHostModeKind.Worker, null, null);
        }

        if (configuration[GenerateKey] is { Length: > 0 } directory)
        {
            return new(FunctionsHostModeKind.GenerateFunctions, null, Path.GetFullPath(directory));
        }

        if (configuration[PortVariable] is { Length: > 0 } text)
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? new(FunctionsHostModeKind.FunctionsHost, port, null)
                : throw new InvalidOperationException($"{PortVariable} '{text}' is not a TCP port.");
        }

        return new(FunctionsHostModeKind.Standalone, null, null);
    }
}
