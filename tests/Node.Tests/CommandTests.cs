using System.Buffers.Binary;
using System.Text.Json;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Node;

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

    [Fact]
    public void Filter_test_refuses_a_damaged_capture_with_a_reason()
    {
        using var config = new TempConfig();
        var pcap = Path.Combine(config.Directory, "bad.pcap");
        File.WriteAllBytes(pcap, [1, 2, 3, 4, 5, 6, 7, 8]);
        var error = Console.Error;
        var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            Assert.Equal(2, FilterCommands.Run(new FileInfo(Rules(config.Directory)), new FileInfo(pcap), new StringWriter()));
        }
        finally
        {
            Console.SetError(error);
        }
        Assert.Contains("Not a pcap or pcapng file", captured.ToString());
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
}
