namespace PdCluster.Node.Commands;

/// <summary>One adapter in <c>pd adapter list</c>.</summary>
internal sealed record AdapterRow(
    string Name, string Provider, bool PdEnabled, string Model, string Pci, string Mac, string LinkType, string Driver, string DriverVersion,
    string Firmware, long LinkSpeedMbps, int MaxReceiveQueues, int MaxTransmitQueues, int MaxQueueSize, int Queues, bool Supported, IReadOnlyList<string> Unmet);
