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
[JsonSerializable(typeof(VSwitch.VSwitchRow))]
[JsonSerializable(typeof(VSwitch.RulePushRow))]
[JsonSerializable(typeof(VSwitch.VSwitchSummary))]
[JsonSerializable(typeof(VSwitch.VSwitchRun))]
internal sealed partial class BenchJson : JsonSerializerContext;
