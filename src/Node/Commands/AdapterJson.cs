using System.Text.Json.Serialization;

namespace PdCluster.Node.Commands;

/// <summary>Source-generated JSON for <c>pd adapter list -o json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<AdapterRow>))]
internal sealed partial class AdapterJson : JsonSerializerContext;
