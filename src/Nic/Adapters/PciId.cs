using System.Globalization;

namespace PdCluster.Nic.Adapters;

/// <summary>A PCI vendor:device pair, written as operators see it in <c>lspci -nn</c> (<c>15b3:1007</c>).</summary>
public readonly record struct PciId(ushort Vendor, ushort Device)
{
    /// <summary>NVIDIA/Mellanox ConnectX-3 Pro.</summary>
    public static readonly PciId ConnectX3Pro = new(0x15b3, 0x1007);

    /// <summary>Parses <c>vvvv:dddd</c> in hex.</summary>
    public static PciId Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2
            || !ushort.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var vendor)
            || !ushort.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var device))
            throw new FormatException($"'{text}' is not a PCI id (expected vendor:device in hex, like 15b3:1007).");
        return new PciId(vendor, device);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Vendor:x4}:{Device:x4}";
}
