using System.Globalization;

namespace PdCluster.Nic.Adapters;

/// <summary>Everything a PD client needs to know about an adapter before it opens a provider on it.</summary>
public sealed record AdapterInfo(
    string Name,
    ulong Mac,
    LinkType LinkType,
    PciId Pci,
    string Model,
    string Driver,
    string DriverVersion,
    string FirmwareVersion,
    int MaxReceiveQueues,
    int MaxTransmitQueues,
    int MaxQueueSize,
    long LinkSpeedMbps)
{
    /// <summary>A ConnectX-3 Pro Ethernet port as WinOF 5.25 with firmware 2.36.5150 reports it.</summary>
    public static AdapterInfo ConnectX3Pro(string name, ulong mac) => new(
        name, mac, LinkType.Ethernet, PciId.ConnectX3Pro, "ConnectX-3 Pro", "mlx4", "5.25", "2.36.5150",
        MaxReceiveQueues: 16, MaxTransmitQueues: 16, MaxQueueSize: 8192, LinkSpeedMbps: 40_000);

    /// <summary>The MAC as <c>02:00:00:00:00:01</c>.</summary>
    public string MacText => FormatMac(Mac);

    /// <summary>Formats a 48-bit MAC.</summary>
    public static string FormatMac(ulong mac) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((mac >> (40 - 8 * i)) & 0xFF).ToString("x2", CultureInfo.InvariantCulture)));
}
