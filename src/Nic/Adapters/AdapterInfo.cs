using System.Globalization;
using PdCluster.Queues.Packets;

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
    /// <summary>Where the device sits on its bus (<c>0000:03:00.0</c> for PCI, from ethtool's bus_info); empty when it has none, as veth.</summary>
    public string BusAddress { get; init; } = "";

    /// <summary>A ConnectX-3 Pro Ethernet port as WinOF 5.25 with firmware 2.36.5150 reports it.</summary>
    public static AdapterInfo ConnectX3Pro(string name, ulong mac) => new(
        name, mac, LinkType.Ethernet, PciId.ConnectX3Pro, "ConnectX-3 Pro", "mlx4", "5.25", "2.36.5150",
        MaxReceiveQueues: 16, MaxTransmitQueues: 16, MaxQueueSize: 8192, LinkSpeedMbps: 40_000);

    /// <summary>The provider that runs the adapter when the configuration let the node choose it (<c>auto</c>), else null.</summary>
    public string? ChosenProvider { get; init; }

    /// <summary>Receive-filter fields the kernel matches before a frame reaches PD, when the provider splits them (AF_PACKET); null when the device does them all.</summary>
    public IReadOnlyList<MatchField>? KernelFilterFields { get; init; }

    /// <summary>Receive-filter fields matched in software after the copy, when the provider splits them; null when the device does them all.</summary>
    public IReadOnlyList<MatchField>? SoftwareFilterFields { get; init; }

    /// <summary>Filter fields as filter files name them (<c>destinationPort</c>), or null.</summary>
    public static IReadOnlyList<string>? FieldNames(IReadOnlyList<MatchField>? fields) =>
        fields?.Select(f => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(f.ToString())).ToArray();

    /// <summary>The MAC as <c>02:00:00:00:00:01</c>.</summary>
    public string MacText => FormatMac(Mac);

    /// <summary>Parses a MAC written as six octets of two hex digits joined by ':' or '-' (<c>02:00:00:00:00:01</c>).</summary>
    public static bool TryParseMac(string text, out ulong mac)
    {
        mac = 0;
        var octets = text.Split(text.Contains('-') ? '-' : ':');
        if (octets.Length != 6)
            return false;
        foreach (var octet in octets)
        {
            if (octet.Length != 2 || !byte.TryParse(octet, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                return false;
            mac = mac << 8 | b;
        }
        return true;
    }

    /// <summary>Formats a 48-bit MAC.</summary>
    public static string FormatMac(ulong mac) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((mac >> (40 - 8 * i)) & 0xFF).ToString("x2", CultureInfo.InvariantCulture)));
}
