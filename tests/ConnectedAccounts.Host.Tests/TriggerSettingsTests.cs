using ConnectedAccounts.Host.Tests.Worker;
using System.Text.Json;
using System.Text.RegularExpressions;
using ConnectedAccounts.Functions.Hosting;
using Microsoft.Extensions.Configuration;

namespace ConnectedAccounts.Host.Tests;

/// <summary>
/// What the Functions host resolves when it reads the function metadata the Worker SDK generated (functions.metadata). It reads app settings as
/// environment variables, so <c>Schedules__OutboxSweep</c> is the key <c>Schedules:OutboxSweep</c>, and a <c>%…%</c>
/// that names no key, or a connection that names no section, disables the function. The settings come from the two
/// places a deployment takes them: infra/main.bicep as compiled (Azure) and local.settings.json.example
/// (<c>func start</c>); both go through the real environment-variable configuration provider here.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed partial class TriggerSettingsTests(PublishedWorkerFixture handler)
{
    public static TheoryData<string> SettingSources => new() { "infra/main.bicep", "local.settings.json.example" };

    [Theory]
    [MemberData(nameof(SettingSources))]
    public async Task Every_setting_a_trigger_names_resolves_in_the_hosts_configuration(string source)
    {
        var configuration = AsHostConfiguration(source == "infra/main.bicep" ? await BicepAppSettingsAsync() : LocalSettings());
        var triggers = Triggers();

        Assert.Contains(triggers, t => t.Type == "timerTrigger");
        Assert.All(triggers, trigger =>
        {
            foreach (var (property, value) in trigger.Properties)
            {
                foreach (Match reference in SettingReference().Matches(value))
                {
                    var name = reference.Groups[1].Value;
                    var resolved = configuration[name];
                    Assert.False(string.IsNullOrEmpty(resolved), $"{trigger.Function}: {property} names %{name}%, which {source} does not set.");
                    if (property == "schedule")
                    {
                        TimerSchedule.Parse(resolved);
                    }
                }
            }

            // A queue trigger without a connection uses the host's storage, AzureWebJobsStorage.
            if ((trigger.Properties.TryGetValue("connection", out var named) ? named : trigger.Type == "queueTrigger" ? "AzureWebJobsStorage" : null) is { } connection)
            {
                Assert.True(
                    configuration[connection] is { Length: > 0 } || configuration.GetSection(connection).GetChildren().Any(),
                    $"{trigger.Function}: connection {connection} is set neither as a value nor as a section in {source}.");
            }
        });
    }

    [Fact]
    public async Task The_queues_the_triggers_listen_on_are_declared_in_the_infra()
    {
        var infra = await CompiledInfra.GetAsync();
        var listened = Triggers().Where(t => t.Type == "queueTrigger").Select(t => t.Properties["queueName"]).Order(StringComparer.Ordinal).ToList();
        var declared = infra.Template.GetProperty("variables").GetProperty("triggerQueues").EnumerateArray().Select(q => q.GetString()!).Order(StringComparer.Ordinal).ToList();
        var queues = Assert.Single(infra.Resources("Microsoft.Storage/storageAccounts/queueServices/queues"));

        Assert.NotEmpty(listened);
        Assert.Equal(listened, declared);
        Assert.Contains("variables('triggerQueues')", queues.GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    private sealed record Trigger(string Function, string Type, IReadOnlyDictionary<string, string> Properties);

    private List<Trigger> Triggers()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(handler.AppDirectory, "functions.metadata")));
        return json.RootElement.EnumerateArray()
            .SelectMany(function => function.GetProperty("bindings").EnumerateArray().Select(b => new Trigger(
                function.GetProperty("name").GetString()!,
                b.GetProperty("type").GetString()!,
                b.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!))))
            .ToList();
    }

    /// <summary>The settings the compiled template sets (values that are expressions there only need to exist).</summary>
    private static async Task<Dictionary<string, string>> BicepAppSettingsAsync() =>
        new((await CompiledInfra.GetAsync()).AppSettings);

    private Dictionary<string, string> LocalSettings()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(handler.RepoRoot, "local.settings.json.example")));
        return json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
    }

    /// <summary>The settings as environment variables read by the configuration provider the host uses.</summary>
    private static IConfiguration AsHostConfiguration(Dictionary<string, string> settings)
    {
        var prefix = $"CA_TRIGGER_TEST_{Guid.NewGuid():N}_";
        try
        {
            foreach (var (name, value) in settings)
            {
                Environment.SetEnvironmentVariable(prefix + name, value.Length == 0 ? "(empty)" : value);
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            return new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()).Build();
        }
        finally
        {
            foreach (var name in settings.Keys)
            {
                Environment.SetEnvironmentVariable(prefix + name, null);
            }
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}
