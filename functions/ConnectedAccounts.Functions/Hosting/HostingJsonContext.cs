using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectedAccounts.Functions.Hosting;

/// <summary>
/// The host contract's payloads. A separate context rather than a partial of AppJsonContext: the System.Text.Json
/// source generator runs once per attributed partial declaration and then fails with duplicate hint names (CS8785),
/// so a context cannot be spread over files. The host's names are PascalCase, hence no web naming policy here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(FunctionInvocationRequest))]
[JsonSerializable(typeof(FunctionInvocationResponse))]
[JsonSerializable(typeof(TimerInfoPayload))]
[JsonSerializable(typeof(string))]
public sealed partial class HostingJsonContext : JsonSerializerContext;
