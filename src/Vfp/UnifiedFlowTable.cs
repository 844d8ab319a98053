using System.Numerics;
using System.Runtime.CompilerServices;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// VFP's unified flow table: a flow's verdict, rewrite and the rules its first packet matched, cached by flow key and
/// direction. Fixed size, 4-way set associative: a set's tags (hash, generation, last use) fill one cache line, and
/// a full set evicts its least recently used flow. An entry of an older generation than the port's is a miss, so
/// bumping the generation invalidates every flow at once. One writer: the port's queue thread. Nothing is allocated
/// after construction unless the path stride grows.
/// </summary>
internal sealed class UnifiedFlowTable
{
    private const int Ways = 4;

    private readonly Tag[] _tags;
    private readonly FlowKey[] _keys;
    private readonly Outcome[] _outcomes;
    private readonly int _setMask;
    private int[] _paths;
    private int _stride;
    private uint _clock;
    private long _hits;
    private long _misses;
    private long _evictions;

    /// <summary>A table of at least <paramref name="capacity"/> flows (rounded up to a power of two, at least 4).</summary>
    public UnifiedFlowTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        Capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, Ways));
        _setMask = Capacity / Ways - 1;
        _tags = new Tag[Capacity];
        _keys = new FlowKey[Capacity];
        _outcomes = new Outcome[Capacity];
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
        Array.Clear(_tags);
    }

    /// <summary>The flow of <paramref name="key"/> in <paramref name="direction"/> at <paramref name="generation"/>: its entry, or -1.</summary>
    public int Find(in FlowKey key, VfpDirection direction, int generation, out ulong hash)
    {
        hash = Hash(in key, direction);
        var first = SetOf(hash);
        for (var entry = first; entry < first + Ways; entry++)
        {
            ref var tag = ref _tags[entry];
            if (tag.Hash == hash && tag.Generation == generation && ((ReadOnlySpan<ulong>)_keys[entry]).SequenceEqual((ReadOnlySpan<ulong>)key))
            {
                tag.LastUse = ++_clock;
                _hits++;
                return entry;
            }
        }
        _misses++;
        return -1;
    }

    /// <summary>Caches a flow's outcome, evicting the least recently used flow of its set when the set is full.</summary>
    public void Add(in FlowKey key, ulong hash, int generation, VfpVerdict verdict, in FlowRewrite rewrite, ReadOnlySpan<int> path)
    {
        var first = SetOf(hash);
        var victim = first;
        for (var entry = first; entry < first + Ways; entry++)
        {
            if (_tags[entry].Generation != generation)
            {
                victim = entry;
                break;
            }
            // Ages, not stamps, so the clock may wrap.
            if (_clock - _tags[entry].LastUse > _clock - _tags[victim].LastUse)
                victim = entry;
        }
        if (_tags[victim].Generation == generation)
            _evictions++;
        _tags[victim] = new Tag { Hash = hash, Generation = generation, LastUse = ++_clock };
        _keys[victim] = key;
        _outcomes[victim] = new Outcome { Rewrite = rewrite, Verdict = verdict, PathLength = (byte)path.Length };
        path.CopyTo(_paths.AsSpan(victim * _stride, _stride));
    }

    /// <summary>The verdict of a cached flow.</summary>
    public VfpVerdict Verdict(int entry) => _outcomes[entry].Verdict;

    /// <summary>The rewrite of a cached flow.</summary>
    public ref readonly FlowRewrite Rewrite(int entry) => ref _outcomes[entry].Rewrite;

    /// <summary>The rules (and default-blocking layers) a cached flow's first packet met.</summary>
    public ReadOnlySpan<int> Path(int entry) => _paths.AsSpan(entry * _stride, _outcomes[entry].PathLength);

    private int SetOf(ulong hash) => ((int)(hash >> 40) & _setMask) * Ways;

    /// <summary>Each word multiplied on its own (the products do not wait on each other), summed, then mixed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(in FlowKey key, VfpDirection direction)
    {
        ReadOnlySpan<ulong> words = key;
        var hash = (ulong)direction + 1;
        for (var i = 0; i < words.Length; i++)
            hash += (words[i] ^ (0x9E37_79B9_7F4A_7C15UL * (ulong)(i + 1))) * 0xFF51_AFD7_ED55_8CCD;
        hash ^= hash >> 33;
        hash *= 0xC4CE_B9FE_1A85_EC53;
        return hash ^ (hash >> 29);
    }

    /// <summary>What tells an entry's flow: 16 bytes, so a set's four fill one cache line.</summary>
    private struct Tag
    {
        public ulong Hash;
        public int Generation;
        public uint LastUse;
    }

    /// <summary>What a flow's first packet decided.</summary>
    private struct Outcome
    {
        public FlowRewrite Rewrite;
        public VfpVerdict Verdict;
        public byte PathLength;
    }
}
