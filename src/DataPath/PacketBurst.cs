using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;

namespace PdCluster.DataPath;

/// <summary>
/// One received burst as the pipeline sees it: buffer handles, a verdict each, and each packet's parsed headers
/// (filled once by the first stage that needs them). Preallocated; reused every duty cycle.
/// </summary>
public sealed class PacketBurst
{
    private readonly int[] _handles;
    private readonly Verdict[] _verdicts;
    private readonly PacketInfo[] _info;

    /// <summary>Creates a burst of at most <paramref name="capacity"/> packets from <paramref name="pool"/>.</summary>
    public PacketBurst(BufferPool pool, int capacity)
    {
        Pool = pool;
        _handles = new int[capacity];
        _verdicts = new Verdict[capacity];
        _info = new PacketInfo[capacity];
    }

    /// <summary>Where the burst's buffers live.</summary>
    public BufferPool Pool { get; }

    /// <summary>Most packets per burst.</summary>
    public int Capacity => _handles.Length;

    /// <summary>Packets in this burst.</summary>
    public int Count { get; private set; }

    /// <summary>Whether <see cref="Info"/> holds parsed headers for this burst.</summary>
    public bool IsParsed { get; private set; }

    /// <summary>Handles, <see cref="Count"/> of them valid.</summary>
    public Span<int> Handles => _handles.AsSpan(0, Count);

    /// <summary>Verdicts, one per packet, <see cref="Verdict.Forward"/> to start with.</summary>
    public Span<Verdict> Verdicts => _verdicts.AsSpan(0, Count);

    /// <summary>Storage to drain into (the whole capacity).</summary>
    public Span<int> DrainSpace => _handles;

    /// <summary>Parsed headers, one per packet; call <see cref="EnsureParsed"/> first.</summary>
    public Span<PacketInfo> Info => _info.AsSpan(0, Count);

    /// <summary>The bytes of packet <paramref name="index"/>.</summary>
    public Span<byte> Packet(int index) => Pool.Packet(_handles[index]);

    /// <summary>Starts a new burst of <paramref name="count"/> drained packets, every verdict Forward.</summary>
    public void Reset(int count)
    {
        Count = count;
        IsParsed = false;
        _verdicts.AsSpan(0, count).Clear();
    }

    /// <summary>Parses every packet's headers once per burst, the burst prefetched first.</summary>
    public void EnsureParsed()
    {
        if (IsParsed)
            return;
        var handles = Handles;
        Pool.Prefetch(handles);
        for (var i = 0; i < handles.Length; i++)
            PacketParser.Parse(Pool.Packet(handles[i]), ref _info[i]);
        IsParsed = true;
    }
}
