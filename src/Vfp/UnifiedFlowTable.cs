using System.Numerics;
using System.Runtime.CompilerServices;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// VFP's unified flow table: a flow's verdict, rewrite and the rules its first packet matched, cached by flow key and
/// direction. Fixed size, 4-way set associative; a full set evicts its least recently used flow. An entry of an
/// older generation than the port's is a miss, so bumping the generation invalidates every flow at once.
/// One writer: the port's queue thread. Nothing is allocated after construction unless the path stride grows.
/// </summary>
internal sealed class UnifiedFlowTable
{
    private const int Ways = 4;

    private readonly FlowKey[] _keys;
    private readonly ulong[] _hashes;
    private readonly int[] _generations;
    private readonly long[] _lastUse;
    private readonly VfpVerdict[] _verdicts;
    private readonly FlowRewrite[] _rewrites;
    private readonly byte[] _pathLengths;
    private int[] _paths;
    private int _stride;
    private long _clock;
    private long _hits;
    private long _misses;
    private long _evictions;

    /// <summary>A table of at least <paramref name="capacity"/> flows (rounded up to a power of two, at least 4).</summary>
    public UnifiedFlowTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        Capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, Ways));
        _keys = new FlowKey[Capacity];
        _hashes = new ulong[Capacity];
        _generations = new int[Capacity];
        _lastUse = new long[Capacity];
        _verdicts = new VfpVerdict[Capacity];
        _rewrites = new FlowRewrite[Capacity];
        _pathLengths = new byte[Capacity];
        _paths = [];
    }

    /// <summary>Flows the table holds at most.</summary>
    public int Capacity { get; }

    /// <summary>Packets whose flow was found.</summary>
    public long Hits => Volatile.Read(ref _hits);

    /// <summary>Packets whose flow was not found (a first packet, or one of a flow invalidated or evicted).</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>Live flows pushed out of a full set.</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>
    /// Makes room for paths of <paramref name="stride"/> entries (a policy with more layers or groups); growing
    /// forgets every flow. Called by the writer between packets.
    /// </summary>
    public void EnsureStride(int stride)
    {
        if (stride <= _stride)
            return;
        if (stride > byte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "A flow's path is at most 255 rules: too many layers or groups.");
        _stride = stride;
        _paths = new int[Capacity * stride];
        Array.Clear(_generations);
    }

    /// <summary>The flow of <paramref name="key"/> in <paramref name="direction"/> at <paramref name="generation"/>: its entry, or -1.</summary>
    public int Find(in FlowKey key, VfpDirection direction, int generation, out ulong hash)
    {
        hash = Hash(in key, direction);
        var set = (int)hash & (Capacity - 1) & ~(Ways - 1);
        ReadOnlySpan<ulong> words = key;
        for (var entry = set; entry < set + Ways; entry++)
        {
            if (_hashes[entry] == hash && _generations[entry] == generation && ((ReadOnlySpan<ulong>)_keys[entry]).SequenceEqual(words))
            {
                _lastUse[entry] = ++_clock;
                _hits++;
                return entry;
            }
        }
        _misses++;
        return -1;
    }

    /// <summary>Caches a flow's outcome, evicting the least recently used flow of its set when the set is full; returns its entry.</summary>
    public int Add(in FlowKey key, ulong hash, int generation, VfpVerdict verdict, in FlowRewrite rewrite, ReadOnlySpan<int> path)
    {
        var set = (int)hash & (Capacity - 1) & ~(Ways - 1);
        var victim = set;
        for (var entry = set; entry < set + Ways; entry++)
        {
            if (_generations[entry] != generation)
            {
                victim = entry;
                break;
            }
            if (_lastUse[entry] < _lastUse[victim])
                victim = entry;
        }
        if (_generations[victim] == generation)
            _evictions++;
        _keys[victim] = key;
        _hashes[victim] = hash;
        _generations[victim] = generation;
        _lastUse[victim] = ++_clock;
        _verdicts[victim] = verdict;
        _rewrites[victim] = rewrite;
        _pathLengths[victim] = (byte)path.Length;
        path.CopyTo(_paths.AsSpan(victim * _stride, _stride));
        return victim;
    }

    /// <summary>The verdict of a cached flow.</summary>
    public VfpVerdict Verdict(int entry) => _verdicts[entry];

    /// <summary>The rewrite of a cached flow.</summary>
    public ref readonly FlowRewrite Rewrite(int entry) => ref _rewrites[entry];

    /// <summary>The rules (and default-blocking layers) a cached flow's first packet met.</summary>
    public ReadOnlySpan<int> Path(int entry) => _paths.AsSpan(entry * _stride, _pathLengths[entry]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(in FlowKey key, VfpDirection direction)
    {
        var hash = 0x9E37_79B9_7F4A_7C15UL ^ (ulong)direction;
        ReadOnlySpan<ulong> words = key;
        foreach (var word in words)
        {
            hash = (hash ^ word) * 0xFF51_AFD7_ED55_8CCD;
            hash ^= hash >> 29;
        }
        return hash;
    }
}
