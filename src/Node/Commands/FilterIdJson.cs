using System.Text.Json.Serialization;

namespace PdCluster.Node.Commands;

/// <summary>Source-generated JSON for the filter ids <c>pd filter test</c> prints.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class FilterIdJson : JsonSerializerContext;
