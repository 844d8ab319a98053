using System.Text.Json.Serialization;

namespace PdCluster.Bench;

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchResult))]
[JsonSerializable(typeof(BenchSummary))]
[JsonSerializable(typeof(BenchRun))]
[JsonSerializable(typeof(Cluster.ClusterRow))]
[JsonSerializable(typeof(Cluster.ClusterSummary))]
[JsonSerializable(typeof(Cluster.ClusterRun))]
[JsonSerializable(typeof(Cluster.FailoverRow))]
[JsonSerializable(typeof(Veth.ProbeResult))]
[JsonSerializable(typeof(Veth.VethRow))]
[JsonSerializable(typeof(Veth.VethSummary))]
[JsonSerializable(typeof(Veth.VethRun))]
internal sealed partial class BenchJson : JsonSerializerContext;
