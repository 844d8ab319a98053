using System.Text.Json.Serialization;
using PdCluster.Node.ClusterAccess;

namespace PdCluster.Node.Commands;

/// <summary>Source-generated JSON for the cluster commands' <c>-o json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(FilterAdded))]
[JsonSerializable(typeof(FiltersAdded))]
[JsonSerializable(typeof(FilterWritten))]
[JsonSerializable(typeof(IReadOnlyList<StoredFilter>))]
[JsonSerializable(typeof(StoredFilter))]
[JsonSerializable(typeof(IReadOnlyList<NodeRow>))]
[JsonSerializable(typeof(ClusterStatusReport))]
[JsonSerializable(typeof(IReadOnlyList<OwnerRow>))]
internal sealed partial class ClusterCommandJson : JsonSerializerContext;
