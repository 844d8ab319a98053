using System.Text.Json.Serialization;

namespace PdCluster.Bench;

/// <summary>Where and when a run happened.</summary>
internal sealed record MachineInfo(
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("memory_gib")] double MemoryGib,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("quick")] bool Quick,
    [property: JsonPropertyName("rounds")] int Rounds);
