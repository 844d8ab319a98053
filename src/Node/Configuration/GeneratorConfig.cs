namespace PdCluster.Node.Configuration;

/// <summary>The traffic generator on the far end of a simulated adapter's wire.</summary>
public sealed class GeneratorConfig
{
    /// <summary>Packets per second; 0 is as fast as it goes.</summary>
    public long Rate { get; set; } = 200_000;

    /// <summary>Flows, sent round-robin.</summary>
    public List<FlowConfig> Flows { get; set; } = [];
}
