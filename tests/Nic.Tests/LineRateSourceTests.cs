using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Nic;

public sealed class LineRateSourceTests : IDisposable
{
    private static readonly GeneratorFlow[] Flows =
    [
        new("198.18.0.1", "198.18.1.1", IpProtocol.Udp, 1000, 2000),
        new("198.18.0.2", "198.18.1.1", IpProtocol.Tcp, 1001, 80, FrameSize: 128),
    ];

    private readonly BufferPool _pool = new(1024, checkedMode: true);
    private readonly SoftNic _nic = new(AdapterInfo.ConnectX3Pro("dut", 0x02_00_00_00_00_02));

    public void Dispose() => _pool.Dispose();

    private SoftNicQueue Rx(int slots)
    {
        var q = _nic.AllocateQueue(new QueueOptions(QueueKind.Receive, slots, _pool));
        var buffers = new int[slots - 1];
        Assert.Equal(slots - 1, _pool.TryAllocate(buffers));
        Assert.Equal(slots - 1, q.PostAndDrain(buffers, []).Posted);
        return q;
    }

    [Fact]
    public void Every_poll_fills_what_it_can_drain_with_the_flows_in_turn()
    {
        var q = Rx(64);
        _nic.LineRate = new LineRateSource(Flows);
        var expected = Flows.Select(TrafficGenerator.BuildTemplate).ToArray();
        var drained = new int[16];

        for (var poll = 0; poll < 3; poll++)
        {
            var r = q.PostAndDrain([], drained);
            Assert.Equal(16, r.Drained);
            for (var i = 0; i < r.Drained; i++)
            {
                Assert.Equal(expected[(poll * 16 + i) % 2], _pool.Packet(drained[i]).ToArray());
                Assert.Equal(BufferFlags.None, _pool.Descriptor(drained[i]).Flags);
            }
            // Reposting what was drained keeps the ring full, as a client does.
            Assert.Equal(16, q.PostAndDrain(drained, []).Posted);
        }
        Assert.Equal(48, q.ReceiveCounters.Packets);
        Assert.Equal(24 * (60 + 128), q.ReceiveCounters.Bytes);
    }

    [Fact]
    public void A_poll_takes_no_more_than_is_posted_and_nothing_without_the_line()
    {
        var q = Rx(8);
        var drained = new int[32];
        Assert.Equal(0, q.PostAndDrain([], drained).Drained);

        _nic.LineRate = new LineRateSource(Flows);
        Assert.Equal(7, q.PostAndDrain([], drained).Drained);
        Assert.Equal(0, q.PostAndDrain([], drained).Drained);
        _pool.Return(drained.AsSpan(0, 7));
    }

    [Fact]
    public void A_port_that_is_not_operational_receives_nothing_from_the_line()
    {
        var q = Rx(8);
        _nic.LineRate = new LineRateSource(Flows);
        _nic.Inject(DeviceEvent.LinkDown);
        var drained = new int[8];
        Assert.Equal(0, q.PostAndDrain([], drained).Drained);
        _nic.Inject(DeviceEvent.LinkUp);
        Assert.Equal(7, q.PostAndDrain([], drained).Drained);
        _pool.Return(drained.AsSpan(0, 7));
    }

    [Fact]
    public void A_flush_under_the_line_gives_every_buffer_back()
    {
        var q = Rx(64);
        _nic.LineRate = new LineRateSource(Flows);
        var drained = new int[64];
        var r = q.PostAndDrain([], drained.AsSpan(0, 10));
        _pool.Return(drained.AsSpan(0, r.Drained));
        q.Flush();
        var rest = q.PostAndDrain([], drained);
        Assert.Equal(63 - r.Drained, rest.Drained);
        _pool.Return(drained.AsSpan(0, rest.Drained));
        Assert.Equal(0, q.Outstanding);
        _nic.FreeQueue(q);
        Assert.Equal(_pool.Capacity, _pool.FreeCount);
    }

    [Fact]
    public void A_line_needs_a_flow()
    {
        Assert.Throws<ArgumentException>(() => new LineRateSource([]));
    }
}
