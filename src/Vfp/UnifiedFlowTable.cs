using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// VFP's unified flow table: a flow's verdict, rewrite and the counter slots its first packet counted in, cached by
/// flow key and direction. Fixed size, 4-way set associative: a set's tags (hash, generation, last use) fill one cache
/// line, and a full set evicts its least recently used flow. An entry of an older generation than the port's is a
/// miss, so bumping the generation invalidates every flow at once. Keys are compared whole (under the policy's flow
/// mask), so flows stay distinct down to the last field; only the 5-tuple's words are hashed, as they tell flows apart
/// in practice. One writer: the port's queue thread. Nothing is allocated after construction unless the path grows.
/// </summary>
internal sealed class UnifiedFlowTable
{
    private const int Ways = 4;
    private static readonly int SourceIpWord = FieldSpec.Of(MatchField.SourceIp).Word;
    private static readonly int DestinationIpWord = FieldSpec.Of(MatchField.DestinationIp).Word;
    private static readonly int PortsWord = FieldSpec.Of(MatchField.DestinationPort).Word;

    private readonly Tag[] _tags;
    private readonly Flow[] _flows;
    private readonly int _setMask;
    private int[] _spill;
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
        _flows = new Flow[Capacity];
        _spill = [];
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
    /// Makes room for flows whose first packet met up to <paramref name="maxPath"/> rules and layers, each counting in
    /// at most two slots; flows with more slots than an entry holds keep them in a row of their own. Growing that row
    /// forgets every flow. Called by the writer between packets.
    /// </summary>
    public void EnsurePath(int maxPath)
    {
        if (maxPath > byte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxPath), maxPath, "A flow's path is at most 255 rules: too many layers or groups.");
        if (maxPath * 2 <= Math.Max(_stride, InlineSlots.Length))
            return;
        _stride = maxPath * 2;
        _spill = new int[Capacity * _stride];
        Array.Clear(_tags);
    }

    /// <summary>
    /// The flow of <paramref name="key"/> (the bits of <paramref name="mask"/>) in <paramref name="direction"/> at
    /// <paramref name="generation"/>: its entry, or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(in FlowKey key, in FlowKey mask, VfpDirection direction, int generation, out ulong hash)
    {
        hash = Hash(in key, in mask, direction);
        var first = SetOf(hash);
        var tags = _tags.AsSpan(first, Ways);
        for (var way = 0; way < tags.Length; way++)
        {
            ref var tag = ref tags[way];
            if (tag.Hash == hash && tag.Generation == generation && SameFlow(in _flows[first + way].Key, in key, in mask))
            {
                tag.LastUse = ++_clock;
                _hits++;
                return first + way;
            }
        }
        _misses++;
        return -1;
    }

    /// <summary>Caches a flow's outcome, evicting the least recently used flow of its set when the set is full.</summary>
    public void Add(in FlowKey key, in FlowKey mask, ulong hash, int generation, VfpVerdict verdict, in FlowRewrite rewrite, ReadOnlySpan<int> slots)
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
        ref var flow = ref _flows[victim];
        Span<ulong> words = flow.Key;
        ReadOnlySpan<ulong> keyWords = key, maskWords = mask;
        for (var i = 0; i < words.Length; i++)
            words[i] = keyWords[i] & maskWords[i];
        flow.Rewrite = rewrite;
        flow.Rewrites = !rewrite.IsEmpty;
        flow.Verdict = verdict;
        flow.SlotCount = (ushort)slots.Length;
        slots.CopyTo(slots.Length <= InlineSlots.Length ? flow.Slots : _spill.AsSpan(victim * _stride, _stride));
    }

    /// <summary>The verdict of a cached flow.</summary>
    public VfpVerdict Verdict(int entry) => _flows[entry].Verdict;

    /// <summary>Whether a cached flow's packets are rewritten.</summary>
    public bool Rewrites(int entry) => _flows[entry].Rewrites;

    /// <summary>The rewrite of a cached flow.</summary>
    public ref readonly FlowRewrite Rewrite(int entry) => ref _flows[entry].Rewrite;

    /// <summary>The counter slots each packet of a cached flow counts in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<int> Slots(int entry)
    {
        ref var flow = ref _flows[entry];
        return flow.SlotCount <= InlineSlots.Length ? ((ReadOnlySpan<int>)flow.Slots)[..flow.SlotCount] : _spill.AsSpan(entry * _stride, flow.SlotCount);
    }

    private int SetOf(ulong hash) => ((int)(hash >> 40) & _setMask) * Ways;

    /// <summary>Each 5-tuple word (addresses, then protocol and ports) multiplied on its own, so the products do not wait on each other; summed, then mixed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(in FlowKey key, in FlowKey mask, VfpDirection direction)
    {
        const ulong multiplier = 0xFF51_AFD7_ED55_8CCD;
        ReadOnlySpan<ulong> words = key, masks = mask;
        var hash = (ulong)direction + 1
            + ((words[SourceIpWord] & masks[SourceIpWord]) ^ 0x9E37_79B9_7F4A_7C15UL) * multiplier
            + ((words[SourceIpWord + 1] & masks[SourceIpWord + 1]) ^ 0xC2B2_AE3D_27D4_EB4FUL) * multiplier
            + ((words[DestinationIpWord] & masks[DestinationIpWord]) ^ 0x1656_67B1_9E37_79F9UL) * multiplier
            + ((words[DestinationIpWord + 1] & masks[DestinationIpWord + 1]) ^ 0x85EB_CA77_C2B2_AE63UL) * multiplier
            + ((words[PortsWord] & masks[PortsWord]) ^ 0x27D4_EB2F_1656_67C5UL) * multiplier;
        hash ^= hash >> 33;
        hash *= 0xC4CE_B9FE_1A85_EC53;
        return hash ^ (hash >> 29);
    }

    /// <summary>Whether <paramref name="cached"/> (stored masked) is <paramref name="key"/> under <paramref name="mask"/>, four words at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameFlow(in FlowKey cached, in FlowKey key, in FlowKey mask)
    {
        ref readonly var c = ref MemoryMarshal.GetReference((ReadOnlySpan<ulong>)cached);
        ref readonly var k = ref MemoryMarshal.GetReference((ReadOnlySpan<ulong>)key);
        ref readonly var m = ref MemoryMarshal.GetReference((ReadOnlySpan<ulong>)mask);
        // Four blocks of four words, the last ending at the key's end (overlapping the third: a key has fifteen).
        const int last = FlowKey.Words - 4;
        var differ = Differ(in c, in k, in m, 0) | Differ(in c, in k, in m, 4) | Differ(in c, in k, in m, 8) | Differ(in c, in k, in m, last);
        return differ == Vector256<ulong>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Differ(ref readonly ulong cached, ref readonly ulong key, ref readonly ulong mask, nuint at) =>
        Vector256.LoadUnsafe(in cached, at) ^ (Vector256.LoadUnsafe(in key, at) & Vector256.LoadUnsafe(in mask, at));

    /// <summary>What tells an entry's flow: 16 bytes, so a set's four fill one cache line.</summary>
    private struct Tag
    {
        public ulong Hash;
        public int Generation;
        public uint LastUse;
    }

    /// <summary>A cached flow: what its first packet decided, then its key (masked), then its rewrite, read only when it has one.</summary>
    private struct Flow
    {
        public VfpVerdict Verdict;
        public bool Rewrites;
        public ushort SlotCount;
        public InlineSlots Slots;
        public FlowKey Key;
        public FlowRewrite Rewrite;
    }

    /// <summary>A flow's counter slots in its own entry: a path of up to three rules, each with its layer.</summary>
    [InlineArray(Length)]
    private struct InlineSlots
    {
        public const int Length = 6;

        private int _slot;
    }
}
