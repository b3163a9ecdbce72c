using System.Diagnostics;
using System.Text.Json;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// infra/main.bicep as a deployer compiles it: the Bicep CLI restored from NuGet (tools/bicep/Bicep.csproj pins
/// Azure.Bicep.CommandLine.linux-x64), then <c>bicep build</c>, <c>bicep build-params</c> and <c>bicep lint</c>. Done
/// once per test run; the ARM JSON goes to a temporary folder and is never committed.
/// </summary>
public sealed class CompiledInfra
{
    public const string BicepPackage = "azure.bicep.commandline.linux-x64";
    public const string BicepVersion = "0.49.2";

    private static readonly Lazy<Task<CompiledInfra>> Compiled = new(CompileAsync);

    private CompiledInfra(JsonElement template, IReadOnlyList<(string Step, int ExitCode, string Output)> steps)
    {
        Template = template;
        Steps = steps;
    }

    /// <summary>The compiled ARM template (main.json).</summary>
    public JsonElement Template { get; }

    /// <summary>Each CLI step with its exit code and everything it printed.</summary>
    public IReadOnlyList<(string Step, int ExitCode, string Output)> Steps { get; }

    public static Task<CompiledInfra> GetAsync() => Compiled.Value;

    public IEnumerable<JsonElement> Resources(string type) =>
        Template.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("type").GetString() == type);

    /// <summary>The function app's settings, name to value (a value is an ARM expression where it is computed).</summary>
    public IReadOnlyDictionary<string, string> AppSettings =>
        Resources("Microsoft.Web/sites").Single().GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings")
            .EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").ToString());

    private static async Task<CompiledInfra> CompileAsync()
    {
        var root = RepositoryRoot.Path;
        var output = Directory.CreateTempSubdirectory("ca-bicep-").FullName;
        var steps = new List<(string, int, string)>();
        var restore = await RunAsync("dotnet", ["restore", Path.Combine(root, "tools", "bicep", "Bicep.csproj"), "--nologo", "--verbosity", "quiet"], root);
        steps.Add(("restore", restore.ExitCode, restore.Output));
        var bicep = Path.Combine(PackagesFolder(root), BicepPackage, BicepVersion, "tools", "bicep");
        var template = Path.Combine(output, "main.json");
        foreach (var (step, arguments) in new (string, string[])[]
        {
            ("build", ["build", Path.Combine(root, "infra", "main.bicep"), "--outfile", template]),
            ("build-params", ["build-params", Path.Combine(root, "infra", "main.bicepparam"), "--outfile", Path.Combine(output, "main.parameters.json")]),
            ("lint", ["lint", Path.Combine(root, "infra", "main.bicep")]),
        })
        {
            var run = await RunAsync(bicep, arguments, root);
            steps.Add((step, run.ExitCode, run.Output));
        }

        using var json = JsonDocument.Parse(File.Exists(template) ? await File.ReadAllTextAsync(template) : "{}");
        var compiled = new CompiledInfra(json.RootElement.Clone(), steps);
        Directory.Delete(output, recursive: true);
        return compiled;
    }

    /// <summary>Where NuGet put the package: the first package folder the restore recorded.</summary>
    private static string PackagesFolder(string root)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "tools", "bicep", "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("packageFolders").EnumerateObject().First().Name;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // What infra/main.bicepparam reads from the deployer's environment.
        start.Environment["SENDGRID_API_KEY"] = "test-key";
        start.Environment["AUTH_AUTHORITY"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0";
        start.Environment["AUTH_AUDIENCE"] = "api://connected-accounts";
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ConnectedAccounts.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ConnectedAccounts.sln not found above the test output folder.");
    }
}
