using PdCluster.Concurrency;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// The switch's duty cycle, on one thread: it receives from the external port (the PD adapter's queues) and from every
/// VM port's outbound ring, and forwards each frame by its destination MAC to the VM port with that static MAC (MAC
/// learning off), floods broadcast and multicast to every other VM port (each port's policy then admits or blocks its
/// copy), sends what a VM addresses to no port out of the external port, and hands what comes from the wire for no
/// port to the OS path (the management OS's MAC, with <c>--allow-management-os</c>, to the OS path from the VMs too).
/// Allocates nothing per cycle. As a <see cref="IDrainNotificationSource"/> it arms the external port's queues, and the
/// VM ports wake <see cref="Wake"/> when they hand it frames, so the switch's thread sleeps while nothing comes.
/// </summary>
public sealed class SwitchFabric : IDutyCycle, IDrainNotificationSource
{
    private readonly BufferCache _cache;
    private readonly int _burstSize;
    private readonly int[] _drain;
    private readonly int[] _transmit;
    private readonly int[] _toOs;
    private readonly int[] _completions;
    private readonly Lock _publish = new();
    private PortTable _table = PortTable.Empty;
    private ExternalPort _external;
    private volatile ExternalPort? _reopened;
    private long _seenGeneration;
    private volatile bool _closed;
    private volatile string? _failure;
    private volatile bool _released;
    private int _transmitCount;
    private int _toOsCount;
    private long _fromWire;
    private long _toWire;
    private long _handedToOs;
    private long _flooded;
    private long _dropped;

    /// <summary>
    /// Switches between the external port's <paramref name="rx"/> and <paramref name="tx"/> and the VM ports attached
    /// later, with buffers from <paramref name="cache"/>; <paramref name="managementMac"/> is the management OS's MAC, 0 for none.
    /// </summary>
    public SwitchFabric(IPdQueue rx, IPdQueue tx, BufferCache cache, IPdOsPath osPath, ulong managementMac = 0, int burstSize = 64)
    {
        _cache = cache;
        _burstSize = burstSize;
        _external = new ExternalPort(rx, tx, osPath, managementMac, new ReceiveRefill(rx, cache, burstSize));
        _drain = new int[burstSize];
        _transmit = new int[burstSize];
        _toOs = new int[burstSize];
        _completions = new int[burstSize];
    }

    /// <inheritdoc/>
    public string RoleName => "vswitch";

    /// <summary>What the switch's thread sleeps on: its drain notifications, a VM port's frames, a detach or a reopen, and its actor's messages.</summary>
    public WakeSignal Wake { get; } = new();

    /// <summary>The VM ports the switch forwards to now.</summary>
    public PortTable Table => Volatile.Read(ref _table);

    /// <summary>Frames received from the wire.</summary>
    public long FromWire => Volatile.Read(ref _fromWire);

    /// <summary>Frames sent out of the external port.</summary>
    public long ToWire => Volatile.Read(ref _toWire);

    /// <summary>Frames handed to the OS path.</summary>
    public long HandedToOs => Volatile.Read(ref _handedToOs);

    /// <summary>Copies made for floods.</summary>
    public long Flooded => Volatile.Read(ref _flooded);

    /// <summary>Frames lost: no buffer for a copy, a full ring or queue, a runt, a frame back to its own port.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Why the external port stopped (its adapter failed or was surprise-removed), or null while it forwards.</summary>
    public string? Failure => _failure;

    /// <summary>
    /// Whether the external port failed and its queues have handed back every buffer: the switch's thread touches them
    /// no more, so their provider may be closed and <see cref="Reopen"/> called.
    /// </summary>
    public bool ExternalReleased => _released;

    /// <summary>
    /// Puts the external port on fresh queues (the adapter arrived again, or a team survivor took over) once the failed
    /// ones are <see cref="ExternalReleased"/>: the switch's thread takes them up at its next cycle, and forwarding resumes.
    /// </summary>
    public void Reopen(IPdQueue rx, IPdQueue tx, IPdOsPath osPath, ulong managementMac = 0)
    {
        if (!_released)
            throw new InvalidOperationException("The external port still holds its queues; only a failed and released one is reopened.");
        _reopened = new ExternalPort(rx, tx, osPath, managementMac, new ReceiveRefill(rx, _cache, _burstSize));
        Wake.Set();
    }

    /// <summary>Starts forwarding to <paramref name="port"/> (from the next cycle on).</summary>
    public void Attach(SwitchPort port)
    {
        lock (_publish)
        {
            if (Table.Find(port.Mac) is not null)
                throw new InvalidOperationException($"MAC {MacText(port.Mac)} is already on a port of this switch.");
            port.SwitchSignal = Wake;
            Volatile.Write(ref _table, Table.With(port));
        }
    }

    /// <summary>
    /// Stops forwarding to <paramref name="port"/> and returns once the switch's thread no longer touches its rings
    /// (at once when the switch runs no more), so the port's owner may empty them.
    /// </summary>
    public void Detach(SwitchPort port, TimeSpan timeout)
    {
        long generation;
        lock (_publish)
        {
            var table = Table.Without(port);
            Volatile.Write(ref _table, table);
            generation = table.Generation;
        }
        Wake.Set();
        var deadline = DateTime.UtcNow + timeout;
        while (!_closed && Volatile.Read(ref _seenGeneration) < generation)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The switch did not let go of port {port.Identity.PortName} within {timeout.TotalSeconds:0.#} s.");
            Thread.Sleep(1);
        }
    }

    /// <inheritdoc/>
    public int DoWork()
    {
        var table = Volatile.Read(ref _table);
        if (_failure is not null && !TakeReopened())
            return DropFromVms(table);
        var rx = _external.Refill.PostAndDrain(_drain);
        if (rx.Failed)
        {
            // The adapter is gone: what it handed back goes home, and the VMs' traffic stops here until the port reopens.
            _cache.Return(_drain.AsSpan(0, rx.Drained));
            _failure = "the external port's receive queue failed (its adapter was surprise-removed or hit a fatal error); the VMs' traffic is stopped.";
            Volatile.Write(ref _seenGeneration, table.Generation);
            return rx.Drained;
        }
        Volatile.Write(ref _fromWire, _fromWire + rx.Drained);
        var work = rx.Drained + rx.Posted;
        for (var i = 0; i < rx.Drained; i++)
            FromExternal(_drain[i], table);
        foreach (var port in table.Ports)
        {
            var n = port.FromVm.TryDequeue(_drain);
            work += n;
            for (var i = 0; i < n; i++)
                FromVm(_drain[i], port, table);
        }
        FlushTransmit();
        FlushToOs();
        WakePorts(table);
        var done = _external.Tx.PostAndDrain([], _completions);
        _cache.Return(_completions.AsSpan(0, done.Drained));
        Volatile.Write(ref _seenGeneration, table.Generation);
        return work + done.Drained;
    }

    /// <inheritdoc/>
    /// <remarks>Called on the switch's thread. A failed external port arms nothing: the wait's limit paces the drain of its queues.</remarks>
    public void RequestDrainNotification(WakeSignal signal)
    {
        if (_failure is not null)
            return;
        _external.Rx.RequestDrainNotification(signal);
        _external.Tx.RequestDrainNotification(signal);
    }

    /// <inheritdoc/>
    public bool HasCompletions
    {
        get
        {
            if (_reopened is not null || (_failure is null && (_external.Rx.HasCompletions || _external.Tx.HasCompletions)))
                return true;
            foreach (var port in Table.Ports)
            {
                if (port.FromVm.Count > 0)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Wakes each port the cycle gave frames to, once.</summary>
    private static void WakePorts(PortTable table)
    {
        foreach (var port in table.Ports)
        {
            if (!port.ToVmPending)
                continue;
            port.ToVmPending = false;
            port.PortSignal?.Set();
        }
    }

    /// <summary>Takes up the queues <see cref="Reopen"/> handed over, if any: the external port forwards again.</summary>
    private bool TakeReopened()
    {
        if (_reopened is not { } reopened)
            return false;
        _external = reopened;
        _reopened = null;
        _released = false;
        _failure = null;
        return true;
    }

    /// <summary>
    /// With the external port failed, drains what its queues hand back and frees what the VMs send (counted as dropped)
    /// so their rings never back up.
    /// </summary>
    private int DropFromVms(PortTable table)
    {
        var work = _released ? 0 : ReleaseFailed();
        foreach (var port in table.Ports)
        {
            var n = port.FromVm.TryDequeue(_drain);
            _cache.Return(_drain.AsSpan(0, n));
            Volatile.Write(ref _dropped, _dropped + n);
            work += n;
        }
        Volatile.Write(ref _seenGeneration, table.Generation);
        return work;
    }

    /// <summary>
    /// Takes back what the failed queues hand back; once they hold nothing (or no longer answer: closing their provider
    /// reclaims the rest) the port is <see cref="ExternalReleased"/>.
    /// </summary>
    private int ReleaseFailed()
    {
        var drained = 0;
        try
        {
            foreach (var queue in (ReadOnlySpan<IPdQueue>)[_external.Rx, _external.Tx])
            {
                var r = queue.PostAndDrain([], _completions);
                _cache.Return(_completions.AsSpan(0, r.Drained));
                drained += r.Drained;
            }
            if (_external.Rx.Outstanding + _external.Tx.Outstanding == 0)
                _released = true;
        }
        catch (PdException)
        {
            _released = true;
        }
        return drained;
    }

    /// <summary>Marks the switch stopped, so a <see cref="Detach"/> waits for no cycle any more.</summary>
    public void Close() => _closed = true;

    /// <summary>Sends what is gathered for the wire and the OS path, then flushes and drains the external queues back to the cache.</summary>
    public void Quiesce(TimeSpan timeout)
    {
        Close();
        if (_failure is not null && !TakeReopened())
        {
            _cache.Return(_transmit.AsSpan(0, _transmitCount));
            _cache.Return(_toOs.AsSpan(0, _toOsCount));
            _transmitCount = _toOsCount = 0;
            var failedDeadline = DateTime.UtcNow + timeout;
            while (!_released && DateTime.UtcNow < failedDeadline)
            {
                if (ReleaseFailed() == 0)
                    Thread.Yield();
            }
            return;
        }
        FlushTransmit();
        FlushToOs();
        var (rx, tx) = (_external.Rx, _external.Tx);
        QueueFlush.Flush(rx);
        QueueFlush.Flush(tx);
        var deadline = DateTime.UtcNow + timeout;
        while (rx.Outstanding + tx.Outstanding > 0)
        {
            var drained = 0;
            foreach (var queue in (ReadOnlySpan<IPdQueue>)[rx, tx])
            {
                var r = queue.PostAndDrain([], _completions);
                _cache.Return(_completions.AsSpan(0, r.Drained));
                drained += r.Drained;
            }
            if (drained == 0 && DateTime.UtcNow > deadline)
                throw new TimeoutException($"The external port still holds {rx.Outstanding} RX and {tx.Outstanding} TX buffers after flush.");
            if (drained == 0)
                Thread.Yield();
        }
    }

    private void FromExternal(int handle, PortTable table)
    {
        if (!TryDestination(handle, out var destination))
            return;
        if (MacAddresses.IsGroup(destination))
        {
            Flood(handle, null, table);
            ToOs(handle);
        }
        else if (table.Find(destination) is { } port)
            ToPort(handle, port);
        else
            ToOs(handle);
    }

    private void FromVm(int handle, SwitchPort source, PortTable table)
    {
        if (!TryDestination(handle, out var destination))
            return;
        if (MacAddresses.IsGroup(destination))
        {
            Flood(handle, source, table);
            if (_external.ManagementMac != 0 && Copy(handle) is var copy and >= 0)
                ToOs(copy);
            Transmit(handle);
        }
        else if (table.Find(destination) is { } port)
        {
            if (port == source)
                Drop(handle);
            else
                ToPort(handle, port);
        }
        else if (destination == _external.ManagementMac)
            ToOs(handle);
        else
            Transmit(handle);
    }

    /// <summary>The frame's destination MAC; a runt with no Ethernet header is dropped.</summary>
    private bool TryDestination(int handle, out ulong destination)
    {
        var frame = _cache.Pool.Packet(handle);
        destination = frame.Length >= 14 ? MacAddresses.Destination(frame) : 0;
        if (frame.Length >= 14)
            return true;
        Drop(handle);
        return false;
    }

    private void Flood(int handle, SwitchPort? source, PortTable table)
    {
        foreach (var port in table.Ports)
        {
            if (port == source)
                continue;
            var copy = Copy(handle);
            if (copy < 0)
                return;
            Volatile.Write(ref _flooded, _flooded + 1);
            ToPort(copy, port);
        }
    }

    /// <summary>A new buffer holding the frame of <paramref name="handle"/>, or −1 when the cache has none.</summary>
    private int Copy(int handle)
    {
        Span<int> copy = stackalloc int[1];
        if (_cache.TryAllocate(copy) == 0)
        {
            Volatile.Write(ref _dropped, _dropped + 1);
            return -1;
        }
        _cache.Pool.SetPacket(copy[0], _cache.Pool.Packet(handle));
        return copy[0];
    }

    private void ToPort(int handle, SwitchPort port)
    {
        if (port.ToVm.TryEnqueue(handle))
        {
            port.ToVmPending = true;
            return;
        }
        port.Counters.AddRingDrops(1);
        Drop(handle);
    }

    private void Transmit(int handle)
    {
        if (_transmitCount == _transmit.Length)
            FlushTransmit();
        _transmit[_transmitCount++] = handle;
    }

    private void ToOs(int handle)
    {
        if (_toOsCount == _toOs.Length)
            FlushToOs();
        _toOs[_toOsCount++] = handle;
    }

    private void Drop(int handle)
    {
        _cache.Return(handle);
        Volatile.Write(ref _dropped, _dropped + 1);
    }

    private void FlushTransmit()
    {
        if (_transmitCount == 0)
            return;
        var tx = _external.Tx.PostAndDrain(_transmit.AsSpan(0, _transmitCount), _completions);
        _cache.Return(_completions.AsSpan(0, tx.Drained));
        if (tx.Posted < _transmitCount)
        {
            _cache.Return(_transmit.AsSpan(tx.Posted, _transmitCount - tx.Posted));
            Volatile.Write(ref _dropped, _dropped + _transmitCount - tx.Posted);
        }
        Volatile.Write(ref _toWire, _toWire + tx.Posted);
        _transmitCount = 0;
    }

    private void FlushToOs()
    {
        if (_toOsCount == 0)
            return;
        var handles = _toOs.AsSpan(0, _toOsCount);
        _external.OsPath.Reinject(_cache.Pool, handles);
        _cache.Return(handles);
        Volatile.Write(ref _handedToOs, _handedToOs + _toOsCount);
        _toOsCount = 0;
    }

    /// <summary>The external port's queues, its OS path, the management OS's MAC on it (0 for none), and the refill of its receive queue.</summary>
    private sealed record ExternalPort(IPdQueue Rx, IPdQueue Tx, IPdOsPath OsPath, ulong ManagementMac, ReceiveRefill Refill);

    internal static string MacText(ulong mac) => Nic.Adapters.AdapterInfo.FormatMac(mac);
}
