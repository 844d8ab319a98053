using PdCluster.Queues.Buffers;

namespace PdCluster.Nic.SoftNic;

/// <summary>
/// A cable between two SoftNic ports in one process: what one port transmits, the other receives, copied into the
/// receiver's posted buffers. Optional faults drop, corrupt (flip one byte) or reorder (hold back one frame) frames.
/// <see cref="Switch"/> joins more than two ports as a switch whose table holds each port's own MAC: a frame goes to
/// the port of its destination MAC, a broadcast or multicast to every other port.
/// </summary>
public sealed class Wire
{
    private readonly Lock _faultLock = new();
    private readonly Random? _random;
    private readonly byte[] _staging = new byte[16384];
    private readonly byte[] _held = new byte[16384];
    private readonly SoftNic[]? _switched;
    private int _heldLength = -1;
    private long _lost;
    private long _corrupted;
    private long _reordered;

    private Wire(SoftNic a, SoftNic b, WireFaults? faults, SoftNic[]? switched = null)
    {
        _switched = switched;
        A = a;
        B = b;
        Faults = faults;
        _random = faults is null ? null : new Random(faults.Seed);
    }

    /// <summary>One end.</summary>
    public SoftNic A { get; }

    /// <summary>The other end.</summary>
    public SoftNic B { get; }

    /// <summary>Injected faults, or null for a perfect cable.</summary>
    public WireFaults? Faults { get; }

    /// <summary>Frames the wire lost on purpose.</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Frames the wire corrupted on purpose.</summary>
    public long Corrupted => Interlocked.Read(ref _corrupted);

    /// <summary>Frames the wire held back behind a later one.</summary>
    public long Reordered => Interlocked.Read(ref _reordered);

    /// <summary>Plugs <paramref name="a"/> and <paramref name="b"/> into a new wire.</summary>
    public static Wire Connect(SoftNic a, SoftNic b, WireFaults? faults = null)
    {
        if (a == b)
            throw new ArgumentException("A wire joins two different ports.");
        if (a.Wire is not null || b.Wire is not null)
            throw new InvalidOperationException("A port takes one wire.");
        var wire = new Wire(a, b, faults);
        a.Wire = wire;
        b.Wire = wire;
        return wire;
    }

    /// <summary>Plugs every one of <paramref name="ports"/> (two or more, each with a MAC of its own) into one switch.</summary>
    public static Wire Switch(params SoftNic[] ports)
    {
        if (ports.Length < 2 || ports.Select(p => p.Info.Mac).Distinct().Count() != ports.Length)
            throw new ArgumentException("A switch joins two or more ports, each with a MAC of its own.", nameof(ports));
        if (ports.Any(p => p.Wire is not null))
            throw new InvalidOperationException("A port takes one wire.");
        var wire = new Wire(ports[0], ports[1], null, ports);
        foreach (var port in ports)
            port.Wire = wire;
        return wire;
    }

    /// <summary>The port at the other end from <paramref name="port"/>.</summary>
    public SoftNic PeerOf(SoftNic port) => port == A ? B : A;

    internal void Carry(SoftNic from, BufferPool pool, ReadOnlySpan<int> handles)
    {
        if (_switched is not null)
        {
            foreach (var handle in handles)
                Switch(from, pool.Packet(handle));
            return;
        }
        var to = PeerOf(from);
        if (_random is null)
        {
            to.Receive(pool, handles);
            return;
        }
        lock (_faultLock)
        {
            foreach (var handle in handles)
                CarryWithFaults(to, pool.Packet(handle));
        }
    }

    private void Switch(SoftNic from, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6)
            return;
        var destination = (ulong)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame) << 16
            | System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        // The group bit (the first octet's lowest) marks broadcast and multicast.
        var flood = (destination >> 40 & 1) != 0;
        foreach (var port in _switched!)
        {
            if (port != from && (flood || port.Info.Mac == destination))
                port.Receive(frame);
        }
    }

    private void CarryWithFaults(SoftNic to, ReadOnlySpan<byte> frame)
    {
        var faults = Faults!;
        if (_random!.NextDouble() < faults.LossRate)
        {
            _lost++;
            return;
        }
        if (frame.Length > _staging.Length)
            return;
        if (_random.NextDouble() < faults.CorruptionRate && frame.Length > 0)
        {
            frame.CopyTo(_staging);
            _staging[_random.Next(frame.Length)] ^= (byte)(1 + _random.Next(255));
            frame = _staging.AsSpan(0, frame.Length);
            _corrupted++;
        }
        if (_heldLength < 0 && _random.NextDouble() < faults.ReorderRate)
        {
            frame.CopyTo(_held);
            _heldLength = frame.Length;
            _reordered++;
            return;
        }
        to.Receive(frame);
        if (_heldLength >= 0)
        {
            var held = _heldLength;
            _heldLength = -1;
            to.Receive(_held.AsSpan(0, held));
        }
    }
}
