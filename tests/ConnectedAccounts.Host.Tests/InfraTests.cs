using ConnectedAccounts.Host.Tests.Worker;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConnectedAccounts.Functions.Email;
using ConnectedAccounts.Functions.Events;
using ConnectedAccounts.Functions.Hosting;
using ConnectedAccounts.Functions.Identity;
using ConnectedAccounts.Functions.Invitations;
using ConnectedAccounts.Functions.Persistence;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// The infrastructure as a deployer meets it: it compiles, lints clean, and deploys what the app reads — nothing
/// missing, nothing the app ignores — on the platform the app is built for, with identities instead of keys.
/// Expected values are written here from the Azure documentation and the program's contract, not read from the file.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed partial class InfraTests(PublishedWorkerFixture handler)
{
    /// <summary>Settings the Functions host and the Azure SDK read (not our options), each with why it is there.</summary>
    private static readonly Dictionary<string, string> HostSettings = new()
    {
        ["AzureWebJobsStorage__accountName"] = "host storage through the identity",
        ["AzureWebJobsStorage__credential"] = "host storage through the identity",
        ["AzureWebJobsStorage__clientId"] = "which identity the host uses",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "where telemetry goes",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "telemetry with an Entra token",
        ["AZURE_CLIENT_ID"] = "which identity DefaultAzureCredential picks for our storage clients",
    };

    /// <summary>What the program needs in Azure (storage through the identity, Entra tokens, SendGrid).</summary>
    private static readonly string[] ProgramSettings =
    [
        "Storage__Provider", "Storage__TableEndpoint", "Storage__QueueEndpoint",
        "Auth__Authority", "Auth__Audience",
        "Email__Provider", "Email__FromAddress", "Email__PublicBaseUrl", "Email__SendGrid__ApiKey",
        "Events__ServiceBus__FullyQualifiedNamespace", "Events__ServiceBus__Topic",
    ];

    /// <summary>The configuration sections the program binds, and the options each binds to.</summary>
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Storage"] = typeof(StorageOptions),
        ["Auth"] = typeof(AuthOptions),
        ["Email"] = typeof(EmailOptions),
        ["Queues"] = typeof(QueueRunnerOptions),
        ["Functions"] = typeof(FunctionsHostOptions),
        ["Invitations"] = typeof(InvitationOptions),
        ["Events"] = typeof(EventsOptions),
    };

    /// <summary>Built-in Azure roles the app's identity may hold: data-plane only.</summary>
    private static readonly Dictionary<string, string> DataRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = "Azure Service Bus Data Sender",
    };

    [Fact]
    public async Task The_bicep_compiles_its_parameters_build_and_the_linter_finds_nothing()
    {
        var infra = await CompiledInfra.GetAsync();

        Assert.Equal(["restore", "build", "build-params", "lint"], infra.Steps.Select(s => s.Step));
        Assert.All(infra.Steps, step =>
        {
            Assert.True(step.ExitCode == 0, $"{step.Step} exited with {step.ExitCode}:\n{step.Output}");
            Assert.False(Diagnostic().IsMatch(step.Output), $"{step.Step} reported:\n{step.Output}");
        });
    }

    [Fact]
    public async Task The_app_settings_are_exactly_what_the_host_and_the_program_read()
    {
        var settings = (await CompiledInfra.GetAsync()).AppSettings;
        var schedules = ScheduleSettingsOfTheTriggers();

        Assert.NotEmpty(schedules);
        Assert.Equal(
            HostSettings.Keys.Concat(ProgramSettings).Concat(schedules).Order(StringComparer.Ordinal),
            settings.Keys.Order(StringComparer.Ordinal));
        Assert.All(ProgramSettings.Concat(schedules), name => Assert.True(IsBound(name), $"{name} binds to no option the program reads."));
    }

    [Fact]
    public async Task Secrets_come_from_key_vault_and_storage_is_reached_with_the_identity_only()
    {
        var infra = await CompiledInfra.GetAsync();
        var settings = infra.AppSettings;

        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["Email__SendGrid__ApiKey"], StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Keys, name => name is "AzureWebJobsStorage" or "Storage__ConnectionString" or "Auth__SigningKey");
        Assert.DoesNotContain(settings.Values, value => value.Contains("listKeys", StringComparison.OrdinalIgnoreCase) || value.Contains("AccountKey=", StringComparison.Ordinal));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("AzureStorage", settings["Storage__Provider"]);

        var storage = infra.Resources("Microsoft.Storage/storageAccounts").Single().GetProperty("properties");
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());

        // Every role assignment names a role from the template's role table, and every role there is a data role.
        var roles = infra.Template.GetProperty("variables").GetProperty("roles").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var assignments = infra.Resources("Microsoft.Authorization/roleAssignments").ToList();
        Assert.NotEmpty(assignments);
        Assert.All(assignments, a =>
        {
            var definition = a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
            var named = RoleReference().Matches(definition).Select(m => m.Groups[1].Value).ToList();
            Assert.True(named.Count > 0, $"A role assignment names its role some other way: {definition}");
            Assert.All(named, key => Assert.True(roles.ContainsKey(key), $"No role '{key}' in the role table."));
        });
        Assert.All(roles, role => Assert.True(DataRoles.ContainsKey(role.Value), $"{role.Key} ({role.Value}) is not a data-plane role."));
    }

    [Fact]
    public async Task The_platform_is_flex_consumption_running_what_the_app_is_built_as_over_https_only()
    {
        var infra = await CompiledInfra.GetAsync();
        var plan = infra.Resources("Microsoft.Web/serverfarms").Single();
        var site = infra.Resources("Microsoft.Web/sites").Single().GetProperty("properties");
        var config = site.GetProperty("functionAppConfig");
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(handler.AppDirectory, "host.json")));
        var builtAs = hostJson.RootElement.TryGetProperty("customHandler", out _) ? "custom" : "dotnet-isolated";

        Assert.Equal(("FlexConsumption", "FC1"), (plan.GetProperty("sku").GetProperty("tier").GetString(), plan.GetProperty("sku").GetProperty("name").GetString()));
        Assert.Equal(builtAs, config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("siteConfig").GetProperty("minTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("siteConfig").GetProperty("ftpsState").GetString());
        Assert.True(infra.Resources("Microsoft.Insights/components").Single().GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Contains("Authorization=AAD", infra.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_go_to_a_topic_that_drops_duplicates_reached_with_the_identity_only()
    {
        var infra = await CompiledInfra.GetAsync();
        var topic = infra.Resources("Microsoft.ServiceBus/namespaces/topics").Single();

        // The outbox delivers an event at least once under the same MessageId: the topic must drop the repeat.
        Assert.True(topic.GetProperty("properties").GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.True(infra.Resources("Microsoft.ServiceBus/namespaces").Single().GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
        Assert.NotEmpty(infra.Resources("Microsoft.ServiceBus/namespaces/topics/subscriptions"));
        Assert.Contains(".servicebus.windows.net", infra.AppSettings["Events__ServiceBus__FullyQualifiedNamespace"], StringComparison.Ordinal);
        Assert.Contains(infra.Resources("Microsoft.Authorization/roleAssignments"),
            a => a.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Contains("serviceBusDataSender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_console_is_a_static_web_app_and_the_origin_its_links_use_is_the_only_one_cors_allows()
    {
        var infra = await CompiledInfra.GetAsync();
        var console = infra.Resources("Microsoft.Web/staticSites").Single();
        var cors = infra.Resources("Microsoft.Web/sites").Single().GetProperty("properties").GetProperty("siteConfig").GetProperty("cors");

        Assert.Equal("Free", console.GetProperty("sku").GetProperty("name").GetString());
        var origin = Assert.Single(cors.GetProperty("allowedOrigins").EnumerateArray()).GetString()!;
        Assert.False(cors.GetProperty("supportCredentials").GetBoolean());
        // The same expression: e-mail links open the console, and the console is the one origin that may call the API.
        Assert.Equal(infra.AppSettings["Email__PublicBaseUrl"], origin);
        Assert.Contains("Microsoft.Web/staticSites", origin, StringComparison.Ordinal);
        Assert.DoesNotContain("*", origin, StringComparison.Ordinal);
    }

    /// <summary>The app setting of every %…% the generated triggers name (%Schedules:X% is the setting Schedules__X).</summary>
    private List<string> ScheduleSettingsOfTheTriggers() =>
        SettingReference().Matches(File.ReadAllText(Path.Combine(handler.AppDirectory, "functions.metadata")))
            .Select(m => m.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether <paramref name="setting"/> (<c>Section__Property__…</c>) reaches a settable property of the section's options.</summary>
    private static bool IsBound(string setting)
    {
        var path = setting.Split("__");
        if (path[0] == "Schedules")
        {
            // Timer schedules are read by name from the catalog, one key per timer.
            return path.Length == 2;
        }

        if (!Sections.TryGetValue(path[0], out var type))
        {
            return false;
        }

        foreach (var name in path.Skip(1))
        {
            var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    [GeneratedRegex(@"\b(Warning|Error)\b")]
    private static partial Regex Diagnostic();

    [GeneratedRegex("\"[^\"]*%([^%\"]+)%[^\"]*\"")]
    private static partial Regex SettingReference();

    [GeneratedRegex(@"variables\('roles'\)\.(\w+)")]
    private static partial Regex RoleReference();
}
