using PdCluster.Node.Hosting;
using System.Buffers.Binary;
using System.Text.Json;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Node;

[Collection(ConsoleCapture.Collection)]
public sealed class CommandTests
{
    private static readonly byte[][] Frames =
    [
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.200.5", "198.18.1.1").Udp(1, 9).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.5", "198.18.1.1").Tcp(1, 80).Build(),
        new FrameBuilder().Ethernet(2, 1, 0x0806).Payload(28).Build(),
    ];

    private static string Rules(string directory)
    {
        var path = Path.Combine(directory, "rules.json");
        File.WriteAllText(path, """
            [ { "id": "flood", "priority": 1, "action": "drop", "match": { "protocol": "udp", "sourceIp": "198.18.128.0/17" } },
              { "id": "web", "priority": 2, "match": { "destinationPort": "80" } } ]
            """);
        return path;
    }

    private static List<(int Index, string? Rule)> Test(string rules, string pcap)
    {
        var output = new StringWriter();
        Assert.Equal(0, FilterCommands.Run(new FileInfo(rules), new FileInfo(pcap), output));
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return (doc.RootElement.GetProperty("index").GetInt32(), doc.RootElement.GetProperty("rule").GetString());
        }).ToList();
    }

    [Fact]
    public void Filter_test_names_the_matching_rule_of_each_packet_in_a_pcap()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "traffic.pcap");
        using (var writer = new PcapWriter(File.Create(pcap)))
        {
            foreach (var frame in Frames)
                writer.Write(frame, DateTimeOffset.UnixEpoch);
        }
        Assert.Equal([(0, "flood"), (1, "web"), (2, null)], Test(Rules(config.Directory), pcap));
    }

    [Fact]
    public void Filter_test_reads_pcapng()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "traffic.pcapng");
        File.WriteAllBytes(pcap, PcapNg(Frames));
        Assert.Equal([(0, "flood"), (1, "web"), (2, null)], Test(Rules(config.Directory), pcap));
    }

    /// <summary>Runs <c>pd filter test</c> in process; returns its exit code, what it printed and what it wrote to stderr.</summary>
    private static (int Exit, string Output, string Error) FilterTest(string rules, string pcap)
    {
        var output = new StringWriter();
        var (exit, _, error) = ConsoleCapture.Run(() => FilterCommands.Run(new FileInfo(rules), new FileInfo(pcap), output));
        return (exit, output.ToString(), error);
    }

    [Fact]
    public void Filter_test_refuses_a_damaged_capture_with_a_reason()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "bad.pcap");
        File.WriteAllBytes(pcap, [1, 2, 3, 4, 5, 6, 7, 8]);
        var (exit, _, error) = FilterTest(Rules(config.Directory), pcap);
        Assert.Equal(2, exit);
        Assert.Equal($"pd: {pcap}: offset 0, before packet 0: not a pcap or pcapng file (magic 0x04030201).", error.Trim());
    }

    [Fact]
    public void Filter_test_names_the_file_packet_and_offset_of_a_damaged_pcapng()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "bad.pcapng");
        var file = PcapNg(Frames);
        // Blocks: section header, interface, then one enhanced packet block per frame; spoil the second packet's trailing length.
        var second = BlockOffsets(file)[3];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(second + 4));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(second + (int)length - 4), length + 4);
        File.WriteAllBytes(pcap, file);
        var (exit, output, error) = FilterTest(Rules(config.Directory), pcap);
        Assert.Equal(2, exit);
        Assert.Equal("{\"index\":0,\"rule\":\"flood\"}", output.Trim());
        Assert.Equal($"pd: {pcap}: packet 1 at offset {second}: enhanced packet block: the block's trailing total length {length + 4} differs from its leading {length}.", error.Trim());
    }

    [Fact]
    public void Filter_test_refuses_a_capture_that_is_not_ethernet_naming_packet_and_offset()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "wifi.pcapng");
        var file = PcapNg(Frames);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(BlockOffsets(file)[1] + 8), 105);
        File.WriteAllBytes(pcap, file);
        var (exit, output, error) = FilterTest(Rules(config.Directory), pcap);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal($"pd: {pcap}: packet 0 at offset {BlockOffsets(file)[2]}: link type 105 is not Ethernet (1), the only link type filters are tested on.", error.Trim());
    }

    [Fact]
    public void Filter_test_answers_every_damaged_capture_with_output_or_exit_code_2()
    {
        using var config = new TempConfig();
        var rules = Rules(config.Directory);
        var pcap = Path.Combine(config.Directory, "mutated.pcapng");
        var template = PcapNg(Frames);
        var random = new Random(8);
        var refused = 0;
        for (var run = 0; run < 500; run++)
        {
            var file = (byte[])template.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                file[random.Next(file.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(pcap, file[..random.Next(file.Length / 2, file.Length + 1)]);
            var (exit, _, error) = FilterTest(rules, pcap);
            Assert.True(exit == 0 || exit == 2 && error.StartsWith($"pd: {pcap}: ") && error.Contains(" offset "), error);
            refused += exit == 2 ? 1 : 0;
        }
        Assert.InRange(refused, 1, 499);
    }

    /// <summary>Where each pcapng block starts, walking the (little-endian) block total lengths.</summary>
    private static List<int> BlockOffsets(byte[] file)
    {
        var offsets = new List<int>();
        for (var at = 0; at < file.Length; at += (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4)))
            offsets.Add(at);
        return offsets;
    }

    /// <summary>A minimal pcapng: section header, one Ethernet interface, an enhanced packet block per frame.</summary>
    private static byte[] PcapNg(byte[][] frames)
    {
        var file = new MemoryStream();
        void Block(uint type, byte[] body)
        {
            var length = 12 + body.Length;
            var b = new byte[length];
            BinaryPrimitives.WriteUInt32LittleEndian(b, type);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)length);
            body.CopyTo(b, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(length - 4), (uint)length);
            file.Write(b);
        }
        var shb = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(shb, 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(shb.AsSpan(4), 1);
        BinaryPrimitives.WriteInt64LittleEndian(shb.AsSpan(8), -1);
        Block(0x0A0D0D0A, shb);
        var idb = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(idb, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(idb.AsSpan(4), 65535);
        Block(1, idb);
        foreach (var frame in frames)
        {
            var padded = (frame.Length + 3) / 4 * 4;
            var epb = new byte[20 + padded];
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(12), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(epb.AsSpan(16), (uint)frame.Length);
            frame.CopyTo(epb, 20);
            Block(6, epb);
        }
        return file.ToArray();
    }

    [Fact]
    public void Enable_and_disable_pd_persist_in_the_config()
    {
        using var config = new TempConfig();
        Assert.True(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        var root = AdapterCommands.Create();
        Assert.Equal(0, root.Parse(["disable-pd", "pd0", "--config", config.Path]).Invoke());
        Assert.False(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        Assert.Equal(0, root.Parse(["enable-pd", "pd0", "--config", config.Path]).Invoke());
        Assert.True(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        Assert.Equal(2, root.Parse(["enable-pd", "nope", "--config", config.Path]).Invoke());
    }

    [Fact]
    public void Names_that_look_like_console_markup_are_printed_as_they_are()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0", "\"simulated\": { \"model\": \"CX[0] [bold]\" }"));
        // Spectre reads "[0]" as a style unless it is escaped: the table threw before, so a clean exit is the check.
        var (exit, output, error) = ListAsPlainText(config.Path);
        Assert.True(exit == 0, error);
        Assert.Contains("CX[0] [bold]", output);
    }

    /// <summary>
    /// <c>pd adapter list</c> as a pipe gets it: plain text 240 columns wide. Spectre's console keeps the writer it was
    /// first made with, so it gets this capture's, and the old one back afterwards.
    /// </summary>
    private static (int Exit, string Output, string Error) ListAsPlainText(string config)
    {
        var previous = Spectre.Console.AnsiConsole.Console;
        return ConsoleCapture.Run(() =>
        {
            Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Out = new Spectre.Console.AnsiConsoleOutput(Console.Out), Ansi = Spectre.Console.AnsiSupport.No, ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
            });
            Spectre.Console.AnsiConsole.Console.Profile.Width = 240;
            try
            {
                return AdapterCommands.Create().Parse(["list", "--config", config]).Invoke();
            }
            finally
            {
                Spectre.Console.AnsiConsole.Console = previous;
            }
        });
    }

    [Fact]
    public void An_afxdp_interface_that_does_not_exist_is_refused_by_file_and_key_in_list_and_run()
    {
        using var config = TempConfig.AfXdp("\"interface\": \"pdt-absent0\", \"queues\": 1");
        var expected = $"pd: {config.Path}: adapters[0]: pd0: there is no interface pdt-absent0";

        var list = ConsoleCapture.Run(() => AdapterCommands.Create().Parse(["list", "--config", config.Path]).Invoke());
        Assert.Equal(2, list.Exit);
        Assert.StartsWith(expected, list.Error);

        var loaded = NodeConfigLoader.Load(config.Path);
        var e = Assert.Throws<ConfigException>(() => NodeHost.StartAsync(loaded).GetAwaiter().GetResult());
        Assert.StartsWith(expected["pd: ".Length..], e.Message);
    }

    [Theory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void A_network_namespace_that_does_not_exist_is_refused_in_the_same_words_by_list_and_run(string provider)
    {
        var ns = $"pdt-none-{Environment.ProcessId}";
        using var config = TempConfig.AfXdp($"\"interface\": \"lo\", \"namespace\": \"{ns}\", \"queues\": 1");
        File.WriteAllText(config.Path, File.ReadAllText(config.Path).Replace("\"afxdp\"", $"\"{provider}\""));
        var expected = $"{config.Path}: adapters[0]: pd0: cannot open network namespace /run/netns/{ns}: No such file or directory.";

        var list = ConsoleCapture.Run(() => AdapterCommands.Create().Parse(["list", "--config", config.Path]).Invoke());
        Assert.Equal(2, list.Exit);
        Assert.Equal($"pd: {expected}", list.Error.Trim());

        var loaded = NodeConfigLoader.Load(config.Path);
        var e = Assert.Throws<ConfigException>(() => NodeHost.StartAsync(loaded).GetAwaiter().GetResult());
        Assert.Equal(expected, e.Message);
    }

    [PdCluster.Tests.Provider.Veth.VethFact]
    public void Adapter_list_shows_a_veth_as_a_development_adapter_that_meets_the_requirements()
    {
        PdCluster.Tests.Provider.Veth.HostPrerequisite.Require();
        using var veth = new PdCluster.Tests.Provider.Veth.VethPair();
        using var config = TempConfig.AfXdp($"\"interface\": \"{veth.DeviceInterface}\", \"namespace\": \"{veth.DeviceNamespace}\", \"queues\": 1");

        var json = ConsoleCapture.Run(() => AdapterCommands.Create().Parse(["list", "--config", config.Path, "-o", "json"]).Invoke());
        Assert.True(json.Exit == 0, json.Error);
        using var rows = JsonDocument.Parse(json.Output);
        var row = rows.RootElement[0];
        Assert.Equal(("veth", "Ethernet", "02:00:00:00:00:02"), (row.GetProperty("driver").GetString(), row.GetProperty("linkType").GetString(), row.GetProperty("mac").GetString()));
        Assert.True(row.GetProperty("supported").GetBoolean());
        Assert.True(row.GetProperty("development").GetBoolean());
        Assert.Empty(row.GetProperty("unmet").EnumerateArray());

        var table = ListAsPlainText(config.Path);
        Assert.True(table.Exit == 0, table.Error);
        Assert.Contains("met: development adapter", table.Output);
        // The row names its provider; a veth has no firmware and no PCI id, and the table shows none rather than empty parts.
        var line = Assert.Single(table.Output.Split('\n'), l => l.Contains("pd0", StringComparison.Ordinal));
        Assert.Contains("│ afxdp ", line);
        Assert.Contains("│ veth ", line);
        Assert.DoesNotContain(" / veth", line);
        Assert.True(!row.TryGetProperty("pci", out var pci) || pci.ValueKind == JsonValueKind.Null, $"pci: {pci}");
    }

    [Fact]
    public void A_ring_larger_than_the_adapter_takes_is_refused_before_the_node_starts()
    {
        using var config = TempConfig.AfXdp("\"interface\": \"lo\", \"queues\": 1, \"queueSize\": 8192, \"burst\": 64, \"buffers\": 16384");

        var loaded = NodeConfigLoader.Load(config.Path);
        var e = Assert.Throws<ConfigException>(() => NodeHost.StartAsync(loaded).GetAwaiter().GetResult());
        Assert.Equal($"{config.Path}: adapters[0].queueSize: pd0 takes at most 4096 slots per queue (got 8192).", e.Message);
    }

    [Fact]
    public void A_fifo_is_refused_at_once_instead_of_waiting_for_a_writer()
    {
        using var config = new TempConfig();
        var fifo = Path.Combine(config.Directory, "node.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(fifo));
        Assert.Contains("is a FIFO or socket, not a file.", e.Message);
    }
}
