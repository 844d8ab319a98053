using System.Globalization;
using PdCluster.Nic.Adapters;

namespace PdCluster.Provider.Linux;

/// <summary>
/// What <c>/sys/class/net/IF</c> says about an interface: its hardware type, address, speed, queues, and the PCI
/// function behind it (found by walking up from the <c>device</c> link to the first ancestor on the PCI bus, so a
/// virtio_net port names its virtio PCI function).
/// </summary>
/// <param name="HardwareType">The ARPHRD_* number in <c>type</c>.</param>
/// <param name="Mac">The 48-bit address, or 0 when <c>address</c> is not six octets (InfiniBand's are 20 bytes).</param>
/// <param name="SpeedMbps">Mb/s from <c>speed</c>; 0 when unknown (virtual devices without one, a link that is down).</param>
/// <param name="PciFunction">The PCI function's address (<c>0000:03:00.0</c>), or empty when the interface has none.</param>
/// <param name="Driver">The bound driver's name from the <c>device/driver</c> link, or empty.</param>
public sealed record SysfsNetInterface(int HardwareType, ulong Mac, long SpeedMbps, string PciFunction, PciId Pci, string Driver, int ReceiveQueues, int TransmitQueues)
{
    /// <summary>The link type of ARPHRD_* number <paramref name="hardwareType"/>.</summary>
    public LinkType LinkType => LinkTypeOf(HardwareType);

    /// <summary>Reads interface <paramref name="interfaceName"/> under <paramref name="sysClassNet"/> (normally <c>/sys/class/net</c>); null when it is not there.</summary>
    public static SysfsNetInterface? Read(string sysClassNet, string interfaceName)
    {
        var root = Path.Combine(sysClassNet, interfaceName);
        if (!Directory.Exists(root))
            return null;
        root = Physical(root);
        var type = ReadValue(root, "type") is { } typeText ? ParseHardwareType(typeText) : throw new LinuxDiscoveryException($"{root}/type cannot be read");
        var mac = ReadValue(root, "address") is { } address && AdapterInfo.TryParseMac(address.Trim(), out var parsed) ? parsed : 0;
        var device = Path.Combine(root, "device");
        var pciDevice = PciAncestor(device);
        var pci = pciDevice is null ? default
            : new PciId(ParseHexId(ReadValue(pciDevice, "vendor"), pciDevice + "/vendor"), ParseHexId(ReadValue(pciDevice, "device"), pciDevice + "/device"));
        var driver = Directory.Exists(Path.Combine(device, "driver")) ? Path.GetFileName(Physical(Path.Combine(device, "driver"))) : "";
        return new SysfsNetInterface(type, mac, ParseSpeed(ReadValue(root, "speed")), pciDevice is null ? "" : Path.GetFileName(pciDevice), pci, driver,
            Queues(root, "rx-"), Queues(root, "tx-"));
    }

    /// <summary>Parses the ARPHRD_* number sysfs writes in <c>type</c> (decimal, a trailing newline allowed).</summary>
    public static int ParseHardwareType(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var type) && type <= ushort.MaxValue
            ? type
            : throw new LinuxDiscoveryException($"'{text.Trim()}' is not an ARPHRD hardware type (a number from 0 to 65535)");

    /// <summary>The link type of ARPHRD_* number <paramref name="hardwareType"/>.</summary>
    public static LinkType LinkTypeOf(int hardwareType) => hardwareType switch
    {
        1 => LinkType.Ethernet,
        32 => LinkType.InfiniBand,
        772 => LinkType.Loopback,
        65534 => LinkType.None,
        _ => LinkType.Other,
    };

    /// <summary>Parses <c>speed</c>: Mb/s, or 0 when the file is missing, unreadable, negative (-1: unknown) or not a number.</summary>
    public static long ParseSpeed(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var speed) && speed > 0 ? speed : 0;

    /// <summary>Parses a PCI id file (<c>0x15b3</c>); <paramref name="file"/> names it in the error.</summary>
    public static ushort ParseHexId(string? text, string file)
    {
        var value = text?.Trim() ?? throw new LinuxDiscoveryException($"{file} cannot be read");
        return value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value.Length is > 2 and <= 6
            && ushort.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new LinuxDiscoveryException($"{file}: '{value}' is not a PCI id (0x and up to four hex digits, like 0x15b3)");
    }

    /// <summary>The first directory from <paramref name="device"/> upwards whose <c>subsystem</c> is the PCI bus, or null.</summary>
    private static string? PciAncestor(string device)
    {
        if (!Directory.Exists(device))
            return null;
        for (var d = new DirectoryInfo(Physical(device)); d is not null && d.FullName != "/sys/devices"; d = d.Parent)
        {
            var subsystem = Path.Combine(d.FullName, "subsystem");
            if (Directory.Exists(subsystem) && Path.GetFileName(Physical(subsystem)) == "pci" && File.Exists(Path.Combine(d.FullName, "vendor")))
                return d.FullName;
        }
        return null;
    }

    /// <summary>
    /// <paramref name="path"/> with every symbolic link on it resolved, component by component (sysfs links are
    /// relative to the directory they sit in, which is itself reached through a link from /sys/class).
    /// </summary>
    private static string Physical(string path)
    {
        if (Path.GetDirectoryName(path) is not { } parent)
            return path;
        var full = Path.Combine(Physical(parent), Path.GetFileName(path));
        return new FileInfo(full).LinkTarget is { } target ? Physical(Path.GetFullPath(target, Path.GetDirectoryName(full)!)) : full;
    }

    private static int Queues(string root, string prefix)
    {
        var queues = Path.Combine(root, "queues");
        return Directory.Exists(queues) ? Directory.EnumerateDirectories(queues, prefix + "*").Count() : 0;
    }

    /// <summary>A sysfs attribute's text, or null when it is missing or the kernel refuses the read (<c>speed</c> of a link that is down gives EINVAL).</summary>
    private static string? ReadValue(string directory, string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, name));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
