using System.Text.Json.Serialization;

namespace PdCluster.Bench;

/// <summary>A whole run as written to bench/results.</summary>
internal sealed record BenchRun(
    [property: JsonPropertyName("machine")] MachineInfo Machine,
    [property: JsonPropertyName("results")] IReadOnlyList<BenchResult> Results,
    [property: JsonPropertyName("summary")] BenchSummary Summary);
