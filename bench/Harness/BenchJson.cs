using System.Text.Json.Serialization;

namespace PdCluster.Bench;

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchResult))]
[JsonSerializable(typeof(BenchSummary))]
[JsonSerializable(typeof(BenchRun))]
internal sealed partial class BenchJson : JsonSerializerContext;
