using System.Diagnostics;
using Xunit.Abstractions;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The web console in a real browser: each test runs one scenario of <c>web/tests/scenarios</c> (playwright-core
/// driving Debian's Chromium) against the service started as a developer starts it. Screenshots of every step go
/// to <c>TestResults/console/{scenario}</c>. <c>scripts/test.sh</c> installs Chromium and the npm packages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebConsoleBrowserTests(WebConsoleBrowserTests.Service service, ITestOutputHelper output) : IClassFixture<WebConsoleBrowserTests.Service>
{
    [Fact]
    public Task The_seed_story_runs_in_the_browser() => Scenario.RunAsync("seed-story", service.Process!, service.MailDirectory, output);

    [Fact]
    public Task The_invitation_link_from_the_pickup_folder_opens_the_invitation_page() => Scenario.RunAsync("email-path", service.Process!, service.MailDirectory, output);

    [Fact]
    public Task Members_connections_by_email_end_dates_reports_activity_and_access_work_from_the_console() => Scenario.RunAsync("everyday", service.Process!, service.MailDirectory, output);

    [Fact]
    public Task Errors_show_the_problem_detail_and_dead_links_say_what_to_do() => Scenario.RunAsync("errors", service.Process!, service.MailDirectory, output);

    [Fact]
    public Task The_console_works_by_keyboard_alone_with_every_control_labelled() => Scenario.RunAsync("keyboard", service.Process!, service.MailDirectory, output);

    public sealed class Service : IAsyncLifetime
    {
        private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-console-");

        public ServiceProcess? Process { get; private set; }

        public string MailDirectory => Path.Combine(_data.FullName, "mail");

        public async Task InitializeAsync() => Process = await ServiceProcess.StartAsync(_data.FullName, new NullOutput());

        public async Task DisposeAsync()
        {
            await Process!.DisposeAsync();
            _data.Delete(recursive: true);
        }
    }
}

/// <summary>With <c>Console:Entra</c> set, the console signs in through MSAL instead of dev tokens.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebConsoleEntraTests(WebConsoleEntraTests.Service service, ITestOutputHelper output) : IClassFixture<WebConsoleEntraTests.Service>
{
    public const string Tenant = "8f4c7a52-1b0e-4d8a-9c1e-2b9f5f1d7e60";
    public const string ClientId = "3c0b9f0e-6a8d-4f1e-9a53-0c5e2d7b4a19";
    public const string Scope = "api://connected-accounts/access_as_user";

    [Fact]
    public Task Sign_in_with_Microsoft_goes_to_the_tenant_with_the_console_client_and_pkce() =>
        Scenario.RunAsync("entra-sign-in", service.Process!, service.Data, output, new()
        {
            ["CONSOLE_ENTRA_TENANT"] = Tenant,
            ["CONSOLE_ENTRA_CLIENT_ID"] = ClientId,
            ["CONSOLE_ENTRA_SCOPE"] = Scope,
        });

    public sealed class Service : IAsyncLifetime
    {
        private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("ca-console-entra-");

        public ServiceProcess? Process { get; private set; }

        public string Data => _data.FullName;

        public async Task InitializeAsync() => Process = await ServiceProcess.StartAsync(_data.FullName, new NullOutput(), settings:
        [
            "--Console:Entra:ClientId", ClientId,
            "--Console:Entra:Authority", $"https://login.microsoftonline.com/{Tenant}",
            "--Console:Entra:Scopes:0", Scope,
        ]);

        public async Task DisposeAsync()
        {
            await Process!.DisposeAsync();
            _data.Delete(recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    /// <summary>One browser scenario at a time: Chromium is the heaviest thing the suite runs on two cores.</summary>
    public const string Name = "Browser";
}

internal static class Scenario
{
    /// <summary>The repository root: the folder above the test binaries that holds <c>web/package.json</c>.</summary>
    public static readonly string Root = FindRoot();

    public static async Task RunAsync(string name, ServiceProcess service, string mailDirectory, ITestOutputHelper output, Dictionary<string, string>? environment = null)
    {
        var web = Path.Combine(Root, "web");
        Assert.True(Directory.Exists(Path.Combine(web, "node_modules", "playwright-core")), "web/node_modules is missing: run ./scripts/test.sh (it runs npm ci in web/).");
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run ./scripts/test.sh (it installs Debian's chromium).");

        var start = new ProcessStartInfo("node") { WorkingDirectory = web };
        start.ArgumentList.Add("tests/run.mjs");
        start.ArgumentList.Add(name);
        start.Environment["CONSOLE_BASE_URL"] = service.BaseAddress.GetLeftPart(UriPartial.Authority);
        start.Environment["CONSOLE_MAIL_DIR"] = mailDirectory;
        start.Environment["CONSOLE_SHOTS_DIR"] = Path.Combine(Root, "TestResults", "console", name);
        start.Environment["CHROMIUM_PATH"] = Chromium;
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        var node = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(4));
        output.WriteLine(node.Output);
        Assert.True(node.ExitCode == 0 && !node.TimedOut,
            $"scenario {name} failed ({(node.TimedOut ? "still running after 4 minutes" : $"exit {node.ExitCode}")}):\n{node.Output}\nservice log:\n{Tail(service.Log)}");
    }

    private static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "web", "package.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with web/package.json) was not found above the test binaries.");
    }
}

/// <summary>A fixture's service outlives any one test's output; its log is shown with a failing scenario instead.</summary>
internal sealed class NullOutput : ITestOutputHelper
{
    public void WriteLine(string message)
    {
    }

    public void WriteLine(string format, params object[] args)
    {
    }
}
