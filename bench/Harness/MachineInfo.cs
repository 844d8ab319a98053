using System.Runtime.InteropServices;
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
    [property: JsonPropertyName("rounds")] int Rounds)
{
    /// <summary>This machine, now.</summary>
    public static MachineInfo Here(bool quick, int rounds) =>
        new(CpuModel(), Environment.ProcessorCount, Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), quick, rounds);

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
