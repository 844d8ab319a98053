using PdCluster.Nic.Adapters;

namespace PdCluster.Node.Configuration;

/// <summary>A simulated ConnectX-3 Pro port and the generator wired to it.</summary>
public sealed class SimulatedConfig
{
    public string Mac { get; set; } = "02:00:00:00:00:02";
    public LinkType LinkType { get; set; } = LinkType.Ethernet;
    public string Pci { get; set; } = "15b3:1007";
    public string Model { get; set; } = "ConnectX-3 Pro";
    public string Firmware { get; set; } = "2.36.5150";
    public string Driver { get; set; } = "5.25";
    public GeneratorConfig? Generator { get; set; }
}
