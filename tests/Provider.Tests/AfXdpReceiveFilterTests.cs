using System.Net.Sockets;
using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>Receive filters in XDP on a real veth: set at run time they steer matches to their PD queue while the rest reaches the kernel's sockets (XDP_PASS); cleared, they steer nothing; one queue's socket going away leaves the others on the shared UMEM working.</summary>
public sealed class AfXdpReceiveFilterTests : IDisposable
{
    private const ushort SteeredPort = 7000;
    private const ushort PassedPort = 7001;
    private readonly AfXdpOnVeth _rig = new();
    private readonly Socket _steered;
    private readonly Socket _passed;

    public AfXdpReceiveFilterTests()
    {
        _steered = _rig.Veth.Device.Run(() => KernelUdp.Open(SteeredPort));
        _passed = _rig.Veth.Device.Run(() => KernelUdp.Open(PassedPort));
    }

    [VethFact]
    public void A_filter_set_at_run_time_steers_matches_to_its_queue_and_the_rest_reaches_the_kernel_until_it_is_cleared()
    {
        var queue = Posted();
        var filter = _rig.Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{SteeredPort}")], queue, 0, 0x70));
        Send(SteeredPort, 5);
        Send(PassedPort, 3);
        Assert.Equal(3, KernelUdp.Receive(_passed, 3));
        Assert.Equal(5, DrainUntil(queue, 5));
        Assert.Equal(0, _steered.Available);
        Assert.Equal(5, filter.Counters.PacketsMatched);

        _rig.Provider.ClearReceiveFilter(filter);
        Send(SteeredPort, 4);
        Assert.Equal(4, KernelUdp.Receive(_steered, 4));
        Assert.Equal(0, DrainUntil(queue, 0));

        queue.FlushQueue();
        Assert.Equal(58, DrainUntil(queue, 58));
        Assert.Equal(_rig.Pool.Capacity, _rig.Pool.FreeCount);
    }

    [VethFact]
    public void Flushing_and_freeing_one_queue_leaves_the_other_queues_socket_receiving()
    {
        var kept = Posted();
        var freed = Posted();
        var keptFilter = _rig.Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{SteeredPort}")], kept, 0, 1));
        var freedFilter = _rig.Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{PassedPort}")], freed, 0, 2));
        Send(SteeredPort, 2);
        Send(PassedPort, 2);
        Assert.Equal(2, DrainUntil(kept, 2));
        Assert.Equal(2, DrainUntil(freed, 2));

        _rig.Provider.ClearReceiveFilter(freedFilter);
        freed.FlushQueue();
        Assert.Equal(61, DrainUntil(freed, 61));
        _rig.Provider.FreeQueue(freed);
        // The flush took the shared UMEM down; the kept queue's own polls bind it again once the kernel freed the old pool.
        Assert.Equal(0, DrainUntil(kept, 0));
        Send(SteeredPort, 3);
        Assert.Equal(3, DrainUntil(kept, 3));
        Assert.Equal(5, keptFilter.Counters.PacketsMatched);

        _rig.Provider.ClearReceiveFilter(keptFilter);
        kept.FlushQueue();
        Assert.Equal(58, DrainUntil(kept, 58));
        Assert.Equal(_rig.Pool.Capacity, _rig.Pool.FreeCount);
    }

    public void Dispose()
    {
        try
        {
            _steered.Dispose();
            _passed.Dispose();
        }
        finally
        {
            _rig.Dispose();
        }
    }

    private IPdQueue Posted() => _rig.Posted(_rig.Provider.AllocateQueue(_rig.ReceiveQueue));

    private void Send(ushort port, int count)
    {
        var frame = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, port).Payload(16).Build();
        for (var i = 0; i < count; i++)
            _rig.Sender.Send(frame);
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
            _rig.Pool.Return(into.AsSpan(0, n));
            got += n;
        }
        while ((got < expected || expected == 0) && DateTime.UtcNow < deadline);
        return got;
    }
}
