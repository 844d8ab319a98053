namespace PdCluster.Node.Configuration;

/// <summary>One generated flow.</summary>
public sealed class FlowConfig
{
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Protocol { get; set; } = "udp";
    public ushort SourcePort { get; set; }
    public ushort DestinationPort { get; set; }
    public int FrameSize { get; set; } = 60;
    public ushort? Vlan { get; set; }
}
