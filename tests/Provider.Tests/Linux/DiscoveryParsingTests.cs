using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Nic.Adapters;
using PdCluster.Provider.Linux;

namespace PdCluster.Tests.Provider.Linux;

/// <summary>The parsing half of Linux discovery: the ethtool driver-info struct and sysfs values, on kernel layouts, a sysfs tree on disk, and random input.</summary>
public sealed class DiscoveryParsingTests
{
    [Fact]
    public void The_driver_info_struct_decodes_as_ethtool_prints_it()
    {
        var info = EthtoolDriverInfo.Decode(DriverInfo("mlx4_en", "4.0-0", "2.36.5000", "0000:03:00.0", "rom"));
        Assert.Equal(new EthtoolDriverInfo("mlx4_en", "4.0-0", "2.36.5000", "0000:03:00.0"), info);
        Assert.Equal(new EthtoolDriverInfo("veth", "1.0", "", ""), EthtoolDriverInfo.Decode(DriverInfo("veth", "1.0")));
    }

    [Fact]
    public void A_short_driver_info_struct_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => EthtoolDriverInfo.Decode(new byte[100]));
        Assert.StartsWith("struct ethtool_drvinfo is 196 bytes; got 100.", e.Message);
    }

    [Fact]
    public void Driver_info_strings_round_trip_and_random_structs_decode_within_their_fields()
    {
        var text = Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789_.:- ".ToCharArray()).ArrayOf().Select(c => new string(c.Take(31).ToArray()));
        Prop.ForAll(Gen.Zip(Gen.Zip(text, text), Gen.Zip(text, text)).ToArbitrary(), t =>
        {
            var (driver, version) = t.Item1;
            var (firmware, bus) = t.Item2;
            return EthtoolDriverInfo.Decode(DriverInfo(driver, version, firmware, bus)) == new EthtoolDriverInfo(driver, version, firmware, bus);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
        Prop.ForAll(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), EthtoolDriverInfo.Size).ToArbitrary(), bytes =>
        {
            var info = EthtoolDriverInfo.Decode(bytes);
            return new[] { info.Driver, info.Version, info.FirmwareVersion, info.BusInfo }.All(s => Encoding.UTF8.GetByteCount(s) <= 32 * 3 && !s.Contains('\0'));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Theory]
    [InlineData("1\n", 1, LinkType.Ethernet)]
    [InlineData("32\n", 32, LinkType.InfiniBand)]
    [InlineData("772\n", 772, LinkType.Loopback)]
    [InlineData("65534\n", 65534, LinkType.None)]
    [InlineData("776\n", 776, LinkType.Other)]
    public void Hardware_types_map_to_link_types(string text, int type, LinkType link)
    {
        Assert.Equal(type, SysfsNetInterface.ParseHardwareType(text));
        Assert.Equal(link, SysfsNetInterface.LinkTypeOf(type));
    }

    [Fact]
    public void Sysfs_values_parse_or_fail_with_a_message_naming_the_value()
    {
        Assert.Equal("'eth' is not an ARPHRD hardware type (a number from 0 to 65535)", Assert.Throws<LinuxDiscoveryException>(() => SysfsNetInterface.ParseHardwareType("eth\n")).Message);
        Assert.Throws<LinuxDiscoveryException>(() => SysfsNetInterface.ParseHardwareType("70000"));
        Assert.Equal(0x15b3, SysfsNetInterface.ParseHexId("0x15b3\n", "vendor"));
        Assert.Equal("x/vendor: '15b3' is not a PCI id (0x and up to four hex digits, like 0x15b3)",
            Assert.Throws<LinuxDiscoveryException>(() => SysfsNetInterface.ParseHexId("15b3", "x/vendor")).Message);
        Assert.Equal(40_000, SysfsNetInterface.ParseSpeed("40000\n"));
        Assert.Equal(0, SysfsNetInterface.ParseSpeed("-1\n"));
        Assert.Equal(0, SysfsNetInterface.ParseSpeed(null));
    }

    [Fact]
    public void Random_sysfs_values_either_parse_to_what_was_written_or_fail_cleanly()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), text =>
        {
            text ??= "";
            var speed = SysfsNetInterface.ParseSpeed(text);
            var typeOk = Outcome(() => SysfsNetInterface.ParseHardwareType(text));
            var idOk = Outcome(() => SysfsNetInterface.ParseHexId(text, "f"));
            return speed >= 0 && typeOk && idOk;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), n =>
            SysfsNetInterface.ParseSpeed($"{n}\n") == Math.Max(n, 0)
            && (n is < 0 or > 65535 ? Outcome(() => SysfsNetInterface.ParseHardwareType($"{n}\n")) : SysfsNetInterface.ParseHardwareType($"{n}\n") == n)
            && (n is < 0 or > 65535 || SysfsNetInterface.ParseHexId($"0x{n:x4}\n", "f") == n)).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    /// <summary>Whether <paramref name="parse"/> either returned or failed with the discovery error (anything else is a bug).</summary>
    private static bool Outcome(Func<int> parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (LinuxDiscoveryException e)
        {
            return e.Message.Length > 0;
        }
    }

    [Fact]
    public void A_sysfs_tree_on_disk_reads_through_the_device_link_to_its_pci_function()
    {
        using var tree = new SysfsTree();
        Assert.Equal(new SysfsNetInterface(1, 0x0002c9aabbcc, 40_000, "0000:03:00.0", PciId.ConnectX3Pro, "mlx4_core", 3, 1), tree.Read());
        Assert.Null(SysfsNetInterface.Read(tree.ClassNet, "eth2"));

        File.WriteAllText(Path.Combine(tree.Function, "vendor"), "mellanox\n");
        Assert.Equal($"{tree.Function}/vendor: 'mellanox' is not a PCI id (0x and up to four hex digits, like 0x15b3)",
            Assert.Throws<LinuxDiscoveryException>(tree.Read).Message);
    }

    /// <summary>sysfs of a ConnectX-3 Pro port <c>eth1</c> on PCI function 0000:03:00.0 (driver mlx4_core), written to a temporary directory.</summary>
    internal sealed class SysfsTree : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("pd-sysfs-").FullName;

        public SysfsTree()
        {
            Function = Directory.CreateDirectory(Path.Combine(_root, "devices/pci0000:00/0000:03:00.0")).FullName;
            Directory.CreateDirectory(Path.Combine(_root, "bus/pci/drivers/mlx4_core"));
            File.CreateSymbolicLink(Path.Combine(Function, "subsystem"), "../../../bus/pci");
            File.CreateSymbolicLink(Path.Combine(Function, "driver"), "../../../bus/pci/drivers/mlx4_core");
            File.WriteAllText(Path.Combine(Function, "vendor"), "0x15b3\n");
            File.WriteAllText(Path.Combine(Function, "device"), "0x1007\n");
            var net = Directory.CreateDirectory(Path.Combine(Function, "net/eth1")).FullName;
            Directory.CreateDirectory(ClassNet);
            File.CreateSymbolicLink(Path.Combine(ClassNet, "eth1"), "../../devices/pci0000:00/0000:03:00.0/net/eth1");
            File.CreateSymbolicLink(Path.Combine(net, "device"), "../../../0000:03:00.0");
            File.WriteAllText(Path.Combine(net, "type"), "1\n");
            File.WriteAllText(Path.Combine(net, "address"), "00:02:c9:aa:bb:cc\n");
            File.WriteAllText(Path.Combine(net, "speed"), "40000\n");
            foreach (var q in new[] { "rx-0", "rx-1", "rx-2", "tx-0" })
                Directory.CreateDirectory(Path.Combine(net, "queues", q));
        }

        public string Function { get; }

        public string ClassNet => Path.Combine(_root, "class/net");

        public SysfsNetInterface Read() => SysfsNetInterface.Read(ClassNet, "eth1")!;

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }

    /// <summary>A <c>struct ethtool_drvinfo</c> as the kernel fills it: command word, then NUL-terminated 32-byte strings.</summary>
    internal static byte[] DriverInfo(params string[] fields)
    {
        var bytes = new byte[EthtoolDriverInfo.Size];
        bytes[0] = 3;
        for (var i = 0; i < fields.Length; i++)
            Encoding.ASCII.GetBytes(fields[i]).CopyTo(bytes, 4 + 32 * i);
        return bytes;
    }
}
