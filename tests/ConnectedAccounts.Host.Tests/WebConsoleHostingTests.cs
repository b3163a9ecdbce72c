using System.Net;
using System.Text.Json.Nodes;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ConnectedAccounts.Host.Tests;

/// <summary>How the standalone service serves the web console: its page on the e-mail link paths, its settings, its headers.</summary>
public sealed class WebConsoleHostingTests
{
    private static WebApplicationFactory<Program> Service(string environment, params (string Key, string Value)[] settings)
    {
        var data = Directory.CreateTempSubdirectory("ca-console-hosting-");
        return new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Storage:DataPath", data.FullName);
            builder.UseSetting("Functions:RunBackgroundJobs", "false");
            builder.UseSetting("Auth:DevTokens", "true");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/invitations/3q2-7Zb_token")]
    [InlineData("/connections/con123/extend")]
    [InlineData("/connections/con123/ask-to-extend")]
    [InlineData("/connections/con123")]
    [InlineData("/accounts/acc1/invitations/inv1/resend")]
    public async Task The_console_page_answers_at_the_root_and_on_every_path_an_email_links_to(string path)
    {
        await using var service = Service("Development");

        var response = await service.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("""<script type="module" src="/src/main.js"></script>""", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Its_modules_and_styles_are_served_with_their_types()
    {
        await using var service = Service("Development");
        var client = service.CreateClient();

        var script = await client.GetAsync(new Uri("/src/main.js", UriKind.Relative));
        var styles = await client.GetAsync(new Uri("/styles.css", UriKind.Relative));

        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", styles.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/no-such-page", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task In_development_the_settings_offer_dev_tokens_and_the_same_origin()
    {
        await using var service = Service("Development");

        var config = JsonNode.Parse(await service.CreateClient().GetStringAsync(new Uri("/config.json", UriKind.Relative)))!;

        Assert.Equal("""{"apiBaseUrl":"","devTokens":true,"entra":null}""", config.ToJsonString());
    }

    [Fact]
    public async Task In_production_there_are_no_dev_tokens_to_offer()
    {
        await using var service = Service("Production");

        var config = JsonNode.Parse(await service.CreateClient().GetStringAsync(new Uri("/config.json", UriKind.Relative)))!;

        Assert.False((bool)config["devTokens"]!);
    }

    [Fact]
    public async Task With_entra_and_an_api_elsewhere_the_settings_and_the_policy_name_both_origins()
    {
        await using var service = Service("Production",
            ("Console:ApiBaseUrl", "https://api.example.net/"),
            ("Console:Entra:ClientId", "3c0b9f0e-6a8d-4f1e-9a53-0c5e2d7b4a19"),
            ("Console:Entra:Authority", "https://login.microsoftonline.com/contoso.onmicrosoft.com"),
            ("Console:Entra:Scopes:0", "api://connected-accounts/access_as_user"));
        var client = service.CreateClient();

        var config = JsonNode.Parse(await client.GetStringAsync(new Uri("/config.json", UriKind.Relative)))!;
        var page = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(
            """{"apiBaseUrl":"https://api.example.net","devTokens":false,"entra":{"clientId":"3c0b9f0e-6a8d-4f1e-9a53-0c5e2d7b4a19","authority":"https://login.microsoftonline.com/contoso.onmicrosoft.com","scopes":["api://connected-accounts/access_as_user"]}}""",
            config.ToJsonString());
        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self' https://api.example.net https://login.microsoftonline.com;", policy, StringComparison.Ordinal);
        Assert.Contains("frame-src https://login.microsoftonline.com;", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_for_static_web_apps_the_console_names_the_api_and_entra_and_falls_back_to_its_page()
    {
        var output = Directory.CreateTempSubdirectory("ca-console-publish-");
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(Scenario.Root, "scripts", "publish-console.sh"), [output.FullName])
        {
            Environment =
            {
                ["API_BASE_URL"] = "https://func-connacc-x.azurewebsites.net/",
                ["ENTRA_CLIENT_ID"] = "3c0b9f0e-6a8d-4f1e-9a53-0c5e2d7b4a19",
                ["ENTRA_AUTHORITY"] = "https://login.microsoftonline.com/contoso.onmicrosoft.com",
                ["ENTRA_SCOPE"] = "api://connected-accounts/access_as_user",
            },
        };
        var script = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(5));

        Assert.True(script.ExitCode == 0 && !script.TimedOut, script.Output);
        Assert.True(File.Exists(Path.Combine(output.FullName, "index.html")));
        Assert.True(File.Exists(Path.Combine(output.FullName, "src", "main.js")));
        Assert.True(File.Exists(Path.Combine(output.FullName, "vendor", "msal-browser.min.js")));
        Assert.False(Directory.Exists(Path.Combine(output.FullName, "tests")));
        Assert.Equal(
            """{"apiBaseUrl":"https://func-connacc-x.azurewebsites.net","devTokens":false,"entra":{"clientId":"3c0b9f0e-6a8d-4f1e-9a53-0c5e2d7b4a19","authority":"https://login.microsoftonline.com/contoso.onmicrosoft.com","scopes":["api://connected-accounts/access_as_user"]}}""",
            File.ReadAllText(Path.Combine(output.FullName, "config.json")));
        var site = JsonNode.Parse(File.ReadAllText(Path.Combine(output.FullName, "staticwebapp.config.json")))!;
        Assert.Equal("/index.html", (string)site["navigationFallback"]!["rewrite"]!);
        Assert.Contains("connect-src 'self' https://func-connacc-x.azurewebsites.net https://login.microsoftonline.com;", (string)site["globalHeaders"]!["Content-Security-Policy"]!, StringComparison.Ordinal);
        Assert.Equal("no-referrer", (string)site["globalHeaders"]!["Referrer-Policy"]!);
        output.Delete(recursive: true);
    }

    [Fact]
    public async Task An_entra_setting_without_its_authority_stops_the_start()
    {
        var data = Directory.CreateTempSubdirectory("ca-console-bad-");

        var (exitCode, log) = await ServiceProcess.RunUntilExitAsync(data.FullName, ["--Console:Entra:ClientId", "x", "--Console:Entra:Scopes:0", "api://x/y"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Authority", log, StringComparison.Ordinal);
    }
}
