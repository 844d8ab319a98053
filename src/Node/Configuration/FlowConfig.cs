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

    /// <summary>The frames' destination MAC when not the adapter's own: a VM's static MAC, for a switch on the adapter to deliver them to the VM.</summary>
    public string? DestinationMac { get; set; }
}
