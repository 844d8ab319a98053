using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;

namespace PdCluster.Tests.Nic;

public sealed class TrafficGeneratorTests
{
    [Fact]
    public void Generator_sends_exactly_the_frames_asked_for()
    {
        var gen = new SoftNic(AdapterInfo.ConnectX3Pro("gen", 1));
        var mirror = new SoftNic(AdapterInfo.ConnectX3Pro("sink", 2));
        Wire.Connect(gen, mirror);
        var seen = 0;
        mirror.OsPath = (frame, hash) => seen++;
        using var g = new TrafficGenerator(gen, [new GeneratorFlow("198.18.0.1", "198.18.0.2", 17, 1, 2), new GeneratorFlow("2001:db8::1", "2001:db8::2", 6, 3, 80, FrameSize: 128, Vlan: 10)]);
        g.Run(CancellationToken.None, maxFrames: 1000);
        Assert.Equal(1000, g.Sent);
        Assert.Equal(1000, mirror.OsPathPackets);
        Assert.Equal(1000, seen);
    }

    [Fact]
    public void Generator_needs_a_flow_and_a_known_protocol()
    {
        var port = new SoftNic(AdapterInfo.ConnectX3Pro("gen", 1));
        Assert.Throws<ArgumentException>(() => new TrafficGenerator(port, []));
        Assert.Throws<ArgumentException>(() => new TrafficGenerator(port, [new GeneratorFlow("198.18.0.1", "198.18.0.2", 47, 1, 2)]));
    }
}
