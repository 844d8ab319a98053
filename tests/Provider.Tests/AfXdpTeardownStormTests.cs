using PdCluster.Provider;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// A queue pair's teardown (PD's flush, drain, free) on one AF_XDP UMEM while the peer floods it, over and over: the
/// receive queue's flush takes the shared UMEM down under the transmit queue, which must not wait for the kernel to
/// free the old pool, and every buffer comes home each time.
/// </summary>
public sealed class AfXdpTeardownStormTests : IDisposable
{
    private const ushort Port = 7000;
    private const int Cycles = 40;
    private readonly AfXdpOnVeth _rig = new();

    [VethFact]
    public void Flushing_a_receive_and_a_transmit_queue_under_a_flood_returns_every_buffer_each_cycle()
    {
        var frame = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, Port).Payload(64).Build();
        using var stop = new CancellationTokenSource();
        var flood = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
                _rig.Sender.Send(frame);
        }, TaskCreationOptions.LongRunning);
        try
        {
            var received = 0L;
            for (var cycle = 0; cycle < Cycles; cycle++)
                received += Cycle(cycle);
            Assert.True(received > 0, "the flood reached the receive queues");
        }
        finally
        {
            stop.Cancel();
            flood.Wait();
        }
    }

    /// <summary>Runs one queue pair for a few milliseconds (received frames go back out on the transmit queue), then tears it down; returns the frames received.</summary>
    private long Cycle(int cycle)
    {
        var rx = _rig.Provider.AllocateQueue(_rig.ReceiveQueue);
        var tx = _rig.Provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 64, _rig.Pool));
        var filter = _rig.Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{Port}")], rx, 0, 1));
        var post = new int[32];
        var drained = new int[64];
        var completed = new int[64];
        var until = DateTime.UtcNow.AddMilliseconds(5 + cycle % 7);
        while (DateTime.UtcNow < until)
        {
            var allocated = _rig.Pool.TryAllocate(post);
            var r = rx.PostAndDrain(post.AsSpan(0, allocated), drained);
            _rig.Pool.Return(post.AsSpan(r.Posted, allocated - r.Posted));
            var t = tx.PostAndDrain(drained.AsSpan(0, r.Drained), completed);
            _rig.Pool.Return(drained.AsSpan(t.Posted, r.Drained - t.Posted));
            _rig.Pool.Return(completed.AsSpan(0, t.Drained));
        }
        var received = rx.ReceiveCounters.PacketsReceived;
        _rig.Provider.ClearReceiveFilter(filter);
        rx.FlushQueue();
        tx.FlushQueue();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (rx.Outstanding > 0 || tx.Outstanding > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"cycle {cycle}: {rx.Outstanding} RX and {tx.Outstanding} TX buffers still outstanding 5 s after the flush");
            _rig.Pool.Return(drained.AsSpan(0, rx.PostAndDrain([], drained).Drained));
            _rig.Pool.Return(completed.AsSpan(0, tx.PostAndDrain([], completed).Drained));
        }
        _rig.Provider.FreeQueue(rx);
        _rig.Provider.FreeQueue(tx);
        Assert.True(_rig.Pool.Capacity == _rig.Pool.FreeCount, $"cycle {cycle}: {_rig.Pool.Capacity - _rig.Pool.FreeCount} buffers are not home");
        return received;
    }

    public void Dispose() => _rig.Dispose();
}
