using System.Text.Json.Serialization;

namespace PdCluster.Node.Commands;

/// <summary>Source-generated JSON for <c>pd node run -o json</c>.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(NodeReport))]
internal sealed partial class NodeReportJson : JsonSerializerContext;
