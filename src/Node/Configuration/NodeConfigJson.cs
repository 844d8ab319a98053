using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.Node.Configuration;

/// <summary>Source-generated JSON for the node configuration.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeConfig))]
internal sealed partial class NodeConfigJson : JsonSerializerContext;
