using System.Net.Sockets;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>Receive filters in XDP on a real veth: set at run time they steer matches to their PD queue while the rest reaches the kernel's sockets (XDP_PASS); cleared, they steer nothing; one queue's socket going away leaves the others on the shared UMEM working.</summary>
public sealed class AfXdpReceiveFilterTests : IDisposable
{
    private const ushort SteeredPort = 7000;
    private const ushort PassedPort = 7001;
    private readonly VethPair _veth;
    private readonly PacketSender _sender;
    private readonly BufferPool _pool = new(512);
    private readonly AfXdpProvider _provider;
    private readonly Socket _steered;
    private readonly Socket _passed;

    public AfXdpReceiveFilterTests()
    {
        HostPrerequisite.Require();
        _veth = new VethPair();
        _sender = new PacketSender(_veth.Peer, _veth.PeerInterface);
        _provider = new AfXdpProvider(AfXdpProviderContractTests.VethHarness.Adapter(_veth.DeviceInterface), new AfXdpAdapterOptions(_veth.DeviceInterface), _veth.Device);
        _steered = _veth.Device.Run(() => KernelUdp.Open(SteeredPort));
        _passed = _veth.Device.Run(() => KernelUdp.Open(PassedPort));
    }

    [VethFact]
    public void A_filter_set_at_run_time_steers_matches_to_its_queue_and_the_rest_reaches_the_kernel_until_it_is_cleared()
    {
        var queue = Posted();
        var filter = _provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{SteeredPort}")], queue, 0, 0x70));
        Send(SteeredPort, 5);
        Send(PassedPort, 3);
        Assert.Equal(3, KernelUdp.Receive(_passed, 3));
        Assert.Equal(5, DrainUntil(queue, 5));
        Assert.Equal(0, _steered.Available);
        Assert.Equal(5, filter.Counters.PacketsMatched);

        _provider.ClearReceiveFilter(filter);
        Send(SteeredPort, 4);
        Assert.Equal(4, KernelUdp.Receive(_steered, 4));
        Assert.Equal(0, DrainUntil(queue, 0));

        queue.FlushQueue();
        Assert.Equal(58, DrainUntil(queue, 58));
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [VethFact]
    public void Flushing_and_freeing_one_queue_leaves_the_other_queues_socket_receiving()
    {
        var kept = Posted();
        var freed = Posted();
        var keptFilter = _provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{SteeredPort}")], kept, 0, 1));
        var freedFilter = _provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{PassedPort}")], freed, 0, 2));
        Send(SteeredPort, 2);
        Send(PassedPort, 2);
        Assert.Equal(2, DrainUntil(kept, 2));
        Assert.Equal(2, DrainUntil(freed, 2));

        _provider.ClearReceiveFilter(freedFilter);
        freed.FlushQueue();
        Assert.Equal(61, DrainUntil(freed, 61));
        _provider.FreeQueue(freed);
        Send(SteeredPort, 3);
        Assert.Equal(3, DrainUntil(kept, 3));
        Assert.Equal(5, keptFilter.Counters.PacketsMatched);

        _provider.ClearReceiveFilter(keptFilter);
        kept.FlushQueue();
        Assert.Equal(58, DrainUntil(kept, 58));
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    public void Dispose()
    {
        try
        {
            _steered.Dispose();
            _passed.Dispose();
            _provider.Dispose();
        }
        finally
        {
            _sender.Dispose();
            _veth.Dispose();
            _pool.Dispose();
        }
    }

    private IPdQueue Posted()
    {
        var queue = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 64, _pool));
        var buffers = new int[63];
        Assert.Equal(63, _pool.TryAllocate(buffers));
        Assert.Equal(63, queue.PostAndDrain(buffers, []).Posted);
        return queue;
    }

    private void Send(ushort port, int count)
    {
        var frame = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, port).Payload(16).Build();
        for (var i = 0; i < count; i++)
            _sender.Send(frame);
    }

    /// <summary>Drains the queue until <paramref name="expected"/> buffers came back or two seconds passed, returning them to the pool.</summary>
    private int DrainUntil(IPdQueue queue, int expected)
    {
        var into = new int[64];
        var got = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        do
        {
            var n = queue.PostAndDrain([], into).Drained;
            _pool.Return(into.AsSpan(0, n));
            got += n;
        }
        while ((got < expected || expected == 0) && DateTime.UtcNow < deadline);
        return got;
    }
}
