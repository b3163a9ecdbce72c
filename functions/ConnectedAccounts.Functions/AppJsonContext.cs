using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectedAccounts.Functions;

/// <summary>
/// The one source-generated serializer context for HTTP bodies, queue messages and stored documents.
/// Features add their root types here, one <c>[JsonSerializable]</c> line each: the generator cannot spread them
/// over several <c>partial</c> declarations (it emits every type once per declaration and fails with CS8785,
/// dotnet/runtime#99669).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Email.EmailRequest))]
public sealed partial class AppJsonContext : JsonSerializerContext;
