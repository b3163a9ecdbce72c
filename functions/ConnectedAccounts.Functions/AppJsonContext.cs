using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConnectedAccounts.Functions;

/// <summary>
/// The one source-generated serializer context for HTTP bodies, queue messages and stored documents.
/// Features add their types with <c>[JsonSerializable]</c> on a <c>partial</c> declaration of this class in their
/// own folder, so no single file becomes a merge hot spot.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(string))]
public sealed partial class AppJsonContext : JsonSerializerContext;
