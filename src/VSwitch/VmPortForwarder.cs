using PdCluster.Concurrency;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM port's duty cycle, on the port's own thread: what the VM sends (its interface's receive queue on the switch's
/// side) passes the port's VFP outbound into <see cref="SwitchPort.FromVm"/>; what the switch put in
/// <see cref="SwitchPort.ToVm"/> passes it inbound onto the VM's transmit queue (rewritten in place by a NAT rule).
/// Allocates nothing per cycle. As a <see cref="IDrainNotificationSource"/> it arms the VM's queues, and the switch wakes
/// the port's signal when it fills <see cref="SwitchPort.ToVm"/>.
/// </summary>
public sealed class VmPortForwarder : IDutyCycle, IDrainNotificationSource
{
    private readonly SwitchPort _port;
    private readonly IPdQueue _rx;
    private readonly IPdQueue _tx;
    private readonly BufferCache _cache;
    private readonly ReceiveRefill _refill;
    private readonly int[] _drain;
    private readonly int[] _deliver;
    private readonly int[] _completions;
    private PacketInfo _info;

    /// <summary>Joins <paramref name="port"/> to the VM's queues <paramref name="rx"/> (from the VM) and <paramref name="tx"/> (to it).</summary>
    public VmPortForwarder(SwitchPort port, IPdQueue rx, IPdQueue tx, BufferCache cache, int burstSize = 64)
    {
        _port = port;
        _rx = rx;
        _tx = tx;
        _cache = cache;
        _refill = new ReceiveRefill(rx, cache, burstSize);
        _drain = new int[burstSize];
        _deliver = new int[burstSize];
        _completions = new int[burstSize];
    }

    /// <inheritdoc/>
    public string RoleName => $"vmport-{_port.Identity.VmName}";

    /// <inheritdoc/>
    public int DoWork()
    {
        var rx = _refill.PostAndDrain(_drain);
        if (rx.Failed)
        {
            // A failed interface hands its buffers back flushed; they go home before the port fails.
            _cache.Return(_drain.AsSpan(0, rx.Drained));
            throw new VmPortFailedException($"port {_port.Identity.PortName} of VM {_port.Identity.VmName}: the VM's interface failed.");
        }
        var admitted = Admit(_drain.AsSpan(0, rx.Drained), VfpDirection.Outbound);
        var entered = _port.FromVm.TryEnqueue(_drain.AsSpan(0, admitted));
        if (entered > 0)
            _port.SwitchSignal?.Set();
        if (entered < admitted)
        {
            _cache.Return(_drain.AsSpan(entered, admitted - entered));
            _port.Counters.AddRingDrops(admitted - entered);
        }
        _port.Counters.AddOutbound(entered);

        var taken = _port.ToVm.TryDequeue(_deliver);
        var deliver = Admit(_deliver.AsSpan(0, taken), VfpDirection.Inbound);
        var tx = _tx.PostAndDrain(_deliver.AsSpan(0, deliver), _completions);
        _cache.Return(_completions.AsSpan(0, tx.Drained));
        if (tx.Posted < deliver)
        {
            _cache.Return(_deliver.AsSpan(tx.Posted, deliver - tx.Posted));
            _port.Counters.AddRingDrops(deliver - tx.Posted);
        }
        _port.Counters.AddInbound(tx.Posted);
        return rx.Drained + rx.Posted + taken + tx.Drained;
    }

    /// <inheritdoc/>
    public void RequestDrainNotification(WakeSignal signal)
    {
        _rx.RequestDrainNotification(signal);
        _tx.RequestDrainNotification(signal);
    }

    /// <inheritdoc/>
    public bool HasCompletions => _port.ToVm.Count > 0 || _rx.HasCompletions || _tx.HasCompletions;

    /// <summary>
    /// Flushes and drains the VM's queues and empties both of the port's rings into the cache; the switch must have let
    /// go of the port first (<see cref="SwitchFabric.Detach"/>).
    /// </summary>
    public void Quiesce(TimeSpan timeout)
    {
        QueueFlush.Flush(_rx);
        QueueFlush.Flush(_tx);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var drained = Empty(_port.ToVm) + Empty(_port.FromVm);
            foreach (var queue in (ReadOnlySpan<IPdQueue>)[_rx, _tx])
            {
                var r = queue.PostAndDrain([], _completions);
                _cache.Return(_completions.AsSpan(0, r.Drained));
                drained += r.Drained;
            }
            if (drained > 0)
                continue;
            if (_rx.Outstanding + _tx.Outstanding == 0)
                break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The VM's interface still holds {_rx.Outstanding} RX and {_tx.Outstanding} TX buffers after flush.");
            Thread.Yield();
        }
    }

    private int Empty(Queues.Rings.SpscRing<int> ring)
    {
        var n = ring.TryDequeue(_completions);
        _cache.Return(_completions.AsSpan(0, n));
        return n;
    }

    /// <summary>Keeps the frames the port's VFP allows at the front of <paramref name="handles"/>, frees the rest; returns how many it kept.</summary>
    private int Admit(Span<int> handles, VfpDirection direction)
    {
        if (!_port.VfpEnabled)
            return handles.Length;
        var kept = 0;
        var blocked = 0;
        foreach (var handle in handles)
        {
            var frame = _cache.Pool.Packet(handle);
            PacketParser.Parse(frame, ref _info);
            if (_port.Vfp.Process(direction, frame, ref _info) == VfpVerdict.Allow)
                handles[kept++] = handle;
            else
            {
                _cache.Return(handle);
                blocked++;
            }
        }
        if (direction == VfpDirection.Inbound)
            _port.Counters.AddInboundBlocked(blocked);
        else
            _port.Counters.AddOutboundBlocked(blocked);
        return kept;
    }
}
