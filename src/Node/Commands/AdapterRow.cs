namespace PdCluster.Node.Commands;

/// <summary>One adapter in <c>pd adapter list</c>.</summary>
internal sealed record AdapterRow(
    string Name, string Provider, bool PdEnabled, string Model, string Pci, string Mac, string LinkType, string Driver, string DriverVersion,
    string Firmware, long LinkSpeedMbps, int MaxReceiveQueues, int MaxTransmitQueues, int MaxQueueSize, int Queues, bool Supported, IReadOnlyList<string> Unmet)
{
    /// <summary>Where the device sits on its bus (<c>0000:03:00.0</c>), empty when it has none.</summary>
    public string BusAddress { get; init; } = "";

    /// <summary>Whether PD accepts the adapter as a development adapter (veth, virtio_net): no PacketDirect hardware.</summary>
    public bool Development { get; init; }
}
