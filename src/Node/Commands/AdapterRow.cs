namespace PdCluster.Node.Commands;

/// <summary>One adapter in <c>pd adapter list</c>.</summary>
/// <param name="Pci">The PCI vendor and device id, null for a device with none (veth).</param>
/// <param name="ChosenProvider">The provider <c>auto</c> would choose, else null.</param>
/// <param name="KernelFilterFields">Receive-filter fields the kernel matches, when the provider splits them with software.</param>
/// <param name="SoftwareFilterFields">Receive-filter fields matched in software after the copy, when the provider splits them.</param>
internal sealed record AdapterRow(
    string Name, string Provider, bool PdEnabled, string Model, string? Pci, string Mac, string LinkType, string Driver, string DriverVersion,
    string Firmware, long LinkSpeedMbps, int MaxReceiveQueues, int MaxTransmitQueues, int MaxQueueSize, int Queues, bool Supported, IReadOnlyList<string> Unmet,
    string? ChosenProvider, IReadOnlyList<string>? KernelFilterFields, IReadOnlyList<string>? SoftwareFilterFields)
{
    /// <summary>Where the device sits on its bus (<c>0000:03:00.0</c>), empty when it has none.</summary>
    public string BusAddress { get; init; } = "";

    /// <summary>The team the adapter belongs to (<c>adapters[].team</c>), else null.</summary>
    public string? Team { get; init; }

    /// <summary>The IPv4 addresses a survivor of its team announces while the adapter is down.</summary>
    public IReadOnlyList<string>? Addresses { get; init; }

    /// <summary>Whether PD accepts the adapter as a development adapter (veth, virtio_net): no PacketDirect hardware.</summary>
    public bool Development { get; init; }
}
