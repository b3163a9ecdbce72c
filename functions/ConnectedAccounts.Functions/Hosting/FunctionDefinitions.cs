using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>One binding of a function.json; <see cref="Properties"/> hold strings, string arrays and booleans.</summary>
public sealed record FunctionBinding(string Type, string Direction, string Name, IReadOnlyList<KeyValuePair<string, object>> Properties);

public sealed record FunctionDefinition(string Name, IReadOnlyList<FunctionBinding> Bindings);

/// <summary>
/// Builds every function.json from the two sources of truth: the <see cref="FunctionCatalog"/> for queues and timers,
/// and the app's own endpoints for HTTP. HTTP endpoints are grouped by resource — the first segment after <c>/api/</c>,
/// or the first segment outside it (<c>healthz</c>) — one function per group with one httpTrigger and one http output,
/// which is what <c>enableForwardingHttpRequest</c> needs to forward the original request unchanged. host.json sets
/// <c>routePrefix</c> to "" so <c>/healthz</c> can be served too; the routes therefore carry <c>api/</c> themselves.
/// </summary>
public static class FunctionDefinitions
{
    public const string FileName = "function.json";

    /// <summary>The app setting naming the storage account of the queue triggers (identity-based in Azure).</summary>
    public const string QueueConnection = "AzureWebJobsStorage";

    public static IReadOnlyList<FunctionDefinition> Build(FunctionCatalog catalog, EndpointDataSource endpoints)
    {
        var functions = new List<FunctionDefinition>();
        functions.AddRange(catalog.Queues.Select(Queue));
        functions.AddRange(catalog.Timers.Select(Timer));
        functions.AddRange(Http(endpoints.Endpoints));

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList()
            : throw new InvalidOperationException($"Two functions would be named '{duplicate.Key}'.");
    }

    public static FunctionDefinition Queue(QueueFunctionRegistration function) => new(function.Name,
    [
        new("queueTrigger", "in", InvocationPayload.QueueBindingName,
        [
            new("queueName", function.QueueName),
            new("connection", QueueConnection),
            new("dataType", "string"),
        ]),
    ]);

    public static FunctionDefinition Timer(TimerFunctionRegistration function) => new(function.Name,
    [
        new(
            "timerTrigger", "in", InvocationPayload.TimerBindingName,
            [new("schedule", $"%{function.ScheduleSettingName}%"), new("runOnStartup", false), new("useMonitor", true)]),
    ]);

    public static IEnumerable<FunctionDefinition> Http(IEnumerable<Endpoint> endpoints)
    {
        var routes = endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<FunctionsHostEndpointMetadata>() is null)
            .Select(e => (Endpoint: e, Group: GroupOf(e.RoutePattern)));
        foreach (var group in routes.GroupBy(r => r.Group.Prefix, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var route = group.All(r => r.Group.IsWhole) ? group.Key : $"{group.Key}/{{*rest}}";
            var methodSets = group.Select(r => r.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods).ToList();
            var properties = new List<KeyValuePair<string, object>> { new("authLevel", "anonymous") };
            if (methodSets.All(m => m is { Count: > 0 }))
            {
                // An endpoint without method metadata takes every method, and so does a trigger without "methods".
                properties.Add(new("methods", methodSets.SelectMany(m => m!)
                    .Select(m => m.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray()));
            }

            properties.Add(new("route", route));
            yield return new FunctionDefinition(
                "Http" + string.Concat(group.First().Group.Resource.Split('-', '_', '.').Select(Capitalize)),
                [new("httpTrigger", "in", "req", properties), new("http", "out", "res", [])]);
        }
    }

    public static string ToJson(FunctionDefinition function)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("bindings");
            foreach (var binding in function.Bindings)
            {
                writer.WriteStartObject();
                writer.WriteString("type", binding.Type);
                writer.WriteString("direction", binding.Direction);
                writer.WriteString("name", binding.Name);
                foreach (var (key, value) in binding.Properties)
                {
                    switch (value)
                    {
                        case string text:
                            writer.WriteString(key, text);
                            break;
                        case bool flag:
                            writer.WriteBoolean(key, flag);
                            break;
                        case string[] items:
                            writer.WriteStartArray(key);
                            foreach (var item in items)
                            {
                                writer.WriteStringValue(item);
                            }

                            writer.WriteEndArray();
                            break;
                        default:
                            throw new InvalidOperationException($"Binding property '{key}' has unsupported type {value.GetType()}.");
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Writes <c>&lt;directory&gt;/&lt;Name&gt;/function.json</c> for each function and removes function folders that
    /// are no longer defined, so a renamed function does not linger in the package.
    /// </summary>
    public static void Write(IReadOnlyList<FunctionDefinition> functions, string directory)
    {
        Directory.CreateDirectory(directory);
        var names = functions.Select(f => f.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var stale in Directory.EnumerateDirectories(directory)
                     .Where(d => File.Exists(Path.Combine(d, FileName)) && !names.Contains(Path.GetFileName(d))))
        {
            Directory.Delete(stale, recursive: true);
        }

        foreach (var function in functions)
        {
            var folder = Path.Combine(directory, function.Name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, FileName), ToJson(function));
        }
    }

    private static (string Prefix, string Resource, bool IsWhole) GroupOf(RoutePattern pattern)
    {
        var literals = pattern.PathSegments
            .TakeWhile(s => s.Parts is [RoutePatternLiteralPart])
            .Select(s => ((RoutePatternLiteralPart)s.Parts[0]).Content)
            .ToList();
        var depth = literals is ["api", ..] ? 2 : 1;
        if (literals.Count < depth)
        {
            // A parameter this high up would make the trigger route swallow other groups (and the host's /admin).
            throw new InvalidOperationException($"Route '{pattern.RawText}' needs a literal resource segment to become an HTTP function.");
        }

        var prefix = string.Join('/', literals.Take(depth));
        return (prefix, literals[depth - 1], pattern.PathSegments.Count == depth);
    }

    private static string Capitalize(string word) =>
        word.Length == 0 ? word : char.ToUpper(word[0], CultureInfo.InvariantCulture) + word[1..];
}
