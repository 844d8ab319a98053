using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.DataPath;

/// <summary>The OS path as a verdict: the exception stage, the os filter action, and the provider's reinjection.</summary>
public sealed class OsPathTests : IDisposable
{
    private const ulong Dut = 0x02_00_00_00_00_02;
    private const ulong Peer = 0x02_00_00_00_00_01;
    private readonly SoftNic _peer = new(AdapterInfo.ConnectX3Pro("peer", Peer));
    private readonly SoftNic _dut = new(AdapterInfo.ConnectX3Pro("dut", Dut));
    private readonly BufferPool _pool = new(2048, checkedMode: true);
    private readonly BufferPool _peerPool = new(256);
    private readonly SoftNicQueue _peerTx;
    private readonly SimulatedProvider _provider;
    private readonly List<byte[]> _os = [];
    private readonly PdForwarder _forwarder;
    private readonly BufferCache _cache;

    public OsPathTests()
    {
        Wire.Connect(_peer, _dut);
        _peerTx = _peer.AllocateQueue(new QueueOptions(QueueKind.Transmit, 256, _peerPool));
        _dut.OsPath = (frame, _) => _os.Add(frame.ToArray());
        _provider = new SimulatedProvider(_dut);
        var rx = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 256, _pool), 1)[0];
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 256, _pool));
        _cache = _pool.CreateCache(128);
        var filters = new FilterStage(new FilterTable(CompiledFilterSet.Compile(FilterSpec.ReadList("""
            [
              { "id": "dns-to-os", "action": "os", "match": { "protocol": "udp", "destinationPort": "53" } },
              { "id": "drop-lldp", "action": "drop", "match": { "etherType": "0x88cc" } }
            ]
            """, "os-path.json"))));
        _forwarder = new PdForwarder(rx, tx, _cache, [filters, new ExceptionPathStage(), new L2ForwardStage()], osPath: _provider.OsPath);
        _forwarder.DoWork();
    }

    public void Dispose()
    {
        _forwarder.Quiesce(TimeSpan.FromSeconds(5));
        _cache.Flush();
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
        _provider.Dispose();
        _pool.Dispose();
        _peerPool.Dispose();
    }

    private static byte[] Arp() => new FrameBuilder().Ethernet(0xFFFF_FFFF_FFFF, Peer).Arp(Peer, "198.18.0.1", "198.18.0.2").Build();

    private static byte[] Lldp() => new FrameBuilder().Ethernet(0x01_80_C2_00_00_0E, Peer, EtherType.Lldp).Payload(32).Build();

    private static byte[] Udp(ushort port, ushort? vlan = null)
    {
        var b = new FrameBuilder().Ethernet(Dut, Peer);
        if (vlan is { } id)
            b.Vlan(id);
        return b.Ipv4("198.18.0.1", "198.18.0.2").Udp(40000, port).Build();
    }

    private void Offer(params byte[][] frames)
    {
        var handles = new int[frames.Length];
        Assert.Equal(frames.Length, _peerPool.TryAllocate(handles));
        for (var i = 0; i < frames.Length; i++)
            _peerPool.SetPacket(handles[i], frames[i]);
        var done = new int[frames.Length];
        var sent = _peerTx.PostAndDrain(handles, done);
        Assert.Equal(frames.Length, sent.Posted);
        _peerPool.Return(done.AsSpan(0, sent.Drained));
        for (var i = 0; i < 4; i++)
            _forwarder.DoWork();
    }

    [Fact]
    public void Frames_that_are_not_ip_go_to_the_os_path_and_ip_frames_are_forwarded()
    {
        Offer(Arp(), Udp(9999), Udp(9999, vlan: 7), Arp());
        Assert.Equal(2, _forwarder.HandedToOs);
        Assert.Equal(2, _forwarder.Forwarded);
        Assert.Equal(2, _os.Count);
        Assert.All(_os, f => Assert.Equal(EtherType.Arp, (ushort)(f[12] << 8 | f[13])));
        Assert.Equal(2, _dut.ReinjectedPackets);
    }

    [Fact]
    public void A_filter_sees_non_ip_frames_before_the_exception_stage()
    {
        Offer(Lldp(), Lldp(), Arp());
        Assert.Equal(2, _forwarder.Dropped);
        Assert.Equal(1, _forwarder.HandedToOs);
    }

    [Fact]
    public void The_os_action_hands_matching_ip_traffic_to_the_os_path()
    {
        Offer(Udp(53), Udp(54), Udp(53));
        Assert.Equal(2, _forwarder.HandedToOs);
        Assert.Equal(1, _forwarder.Forwarded);
        Assert.All(_os, f => Assert.Equal(53, f[36] << 8 | f[37]));
    }

    [Fact]
    public void Without_an_os_path_handed_back_frames_are_dropped()
    {
        using var pool = new BufferPool(64);
        var burst = new PacketBurst(pool, 4);
        var stage = new ExceptionPathStage();
        Span<int> handles = stackalloc int[3];
        Assert.Equal(3, pool.TryAllocate(handles));
        pool.SetPacket(handles[0], Arp());
        pool.SetPacket(handles[1], Udp(1));
        pool.SetPacket(handles[2], [0x02, 0x00, 0x00]);
        handles.CopyTo(burst.DrainSpace);
        burst.Reset(3);
        stage.Process(burst);
        Assert.Equal([Verdict.ToOs, Verdict.Forward, Verdict.Drop], burst.Verdicts.ToArray());
        Assert.Equal(1, stage.HandedToOs);
        pool.Return(handles);
    }
}
