namespace ConnectedAccounts.Functions.Hosting;

public enum FunctionsHostModeKind
{
    /// <summary><c>dotnet run</c>: a plain ASP.NET Core app; the queues and timers run in-process.</summary>
    Standalone,

    /// <summary>
    /// Started by the Functions host as its isolated worker (<c>--functions-uri</c>): the host owns the triggers, calls
    /// the functions over gRPC and forwards HTTP to the worker's ASP.NET Core server.
    /// </summary>
    Worker,
}

/// <summary>How this process was started, decided once from its command line.</summary>
public sealed record FunctionsHostMode(FunctionsHostModeKind Kind)
{
    /// <summary>The command-line switch the Functions host starts an isolated worker with, seen by configuration as this key.</summary>
    public const string WorkerKey = "functions-uri";

    public static bool IsWorker(string[] args) => new ConfigurationBuilder().AddCommandLine(args).Build()[WorkerKey] is { Length: > 0 };

    public static FunctionsHostMode From(IConfiguration configuration) =>
        new(configuration[WorkerKey] is { Length: > 0 } ? FunctionsHostModeKind.Worker : FunctionsHostModeKind.Standalone);
}
