using System.Diagnostics;
using System.Runtime.CompilerServices;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// All classifier entries that share one field mask: an open-addressed hash table over the masked key words,
/// each slot heading a chain of entries with that masked key, best rank first. A table of a few entries is scanned
/// in rank order instead, which costs less than hashing the key.
/// </summary>
internal sealed class Subtable
{
    /// <summary>Most entries a table scans rather than hashes.</summary>
    internal const int ScanLimit = 8;

    private readonly ulong[] _mask;
    private readonly int[] _words;
    private readonly ulong[] _keys;
    private readonly int[] _rank;
    private readonly int[] _rule;
    private readonly int[] _next;
    private readonly FieldMatch[]?[] _residuals;
    private readonly int[] _slotEntry;
    private readonly ulong[] _slotHash;
    private readonly int _slotMask;

    /// <summary>One rule, or one prefix combination of a rule's ranges, under one mask.</summary>
    public readonly record struct Entry(ulong[] Mask, ulong[] Value, int Rank, int Rule, FieldMatch[]? Residuals);

    /// <summary>Builds the table; <paramref name="entries"/> arrive in ascending rank.</summary>
    public Subtable(ulong[] mask, List<Entry> entries)
    {
        Debug.Assert(entries.Zip(entries.Skip(1)).All(p => p.First.Rank <= p.Second.Rank),
            "Lookup stops a chain at the rank limit: entries must arrive in rank order.");
        _mask = mask;
        _words = Enumerable.Range(0, mask.Length).Where(w => mask[w] != 0).ToArray();
        BestRank = entries[0].Rank;

        var count = entries.Count;
        _keys = new ulong[count * _words.Length];
        _rank = new int[count];
        _rule = new int[count];
        _next = new int[count];
        _residuals = new FieldMatch[]?[count];
        var slots = (int)Math.Max(4, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count * 2));
        _slotEntry = new int[slots];
        _slotHash = new ulong[slots];
        _slotMask = slots - 1;
        Array.Fill(_slotEntry, -1);
        var tails = new int[slots];

        for (var e = 0; e < count; e++)
        {
            var entry = entries[e];
            for (var i = 0; i < _words.Length; i++)
                _keys[e * _words.Length + i] = entry.Value[_words[i]];
            _rank[e] = entry.Rank;
            _rule[e] = entry.Rule;
            _next[e] = -1;
            _residuals[e] = entry.Residuals;

            var hash = Hash(entry.Value.AsSpan(), _words, _mask);
            var slot = (int)hash & _slotMask;
            while (_slotEntry[slot] >= 0 && !(_slotHash[slot] == hash && KeyEquals(_slotEntry[slot], e)))
                slot = (slot + 1) & _slotMask;
            if (_slotEntry[slot] < 0)
            {
                _slotEntry[slot] = e;
                _slotHash[slot] = hash;
            }
            else
            {
                _next[tails[slot]] = e;
            }
            tails[slot] = e;
        }
    }

    /// <summary>The best (lowest) rank of any entry: no lookup here can beat a match already this good.</summary>
    public int BestRank { get; }

    /// <summary>The rule of the best entry matching <paramref name="key"/> with a rank below <paramref name="rankLimit"/>, or -1.</summary>
    public int Lookup(in FlowKey key, int rankLimit, out int rank)
    {
        if (_rank.Length <= ScanLimit)
            return Scan(in key, rankLimit, out rank);
        var words = _words;
        var mask = _mask;
        var hash = Seed;
        foreach (var w in words)
            hash = Mix(hash, key[w] & mask[w]);

        var slot = (int)hash & _slotMask;
        int entry;
        while ((entry = _slotEntry[slot]) >= 0)
        {
            if (_slotHash[slot] == hash && MaskedEquals(in key, entry))
            {
                for (; entry >= 0 && _rank[entry] < rankLimit; entry = _next[entry])
                {
                    if (ResidualsHold(_residuals[entry], in key))
                    {
                        rank = _rank[entry];
                        return _rule[entry];
                    }
                }
                break;
            }
            slot = (slot + 1) & _slotMask;
        }
        rank = int.MaxValue;
        return -1;
    }

    private int Scan(in FlowKey key, int rankLimit, out int rank)
    {
        for (var entry = 0; entry < _rank.Length && _rank[entry] < rankLimit; entry++)
        {
            if (MaskedEquals(in key, entry) && ResidualsHold(_residuals[entry], in key))
            {
                rank = _rank[entry];
                return _rule[entry];
            }
        }
        rank = int.MaxValue;
        return -1;
    }

    private bool MaskedEquals(in FlowKey key, int entry)
    {
        var words = _words;
        var start = entry * words.Length;
        for (var i = 0; i < words.Length; i++)
        {
            if ((key[words[i]] & _mask[words[i]]) != _keys[start + i])
                return false;
        }
        return true;
    }

    private bool KeyEquals(int a, int b) =>
        _keys.AsSpan(a * _words.Length, _words.Length).SequenceEqual(_keys.AsSpan(b * _words.Length, _words.Length));

    /// <summary>Checks the conditions left out of the hash; their headers' presence bits are in the mask already.</summary>
    private static bool ResidualsHold(FieldMatch[]? residuals, in FlowKey key)
    {
        if (residuals is null)
            return true;
        foreach (var r in residuals)
        {
            if (!r.FieldHolds(in key))
                return false;
        }
        return true;
    }

    private const ulong Seed = 0x9E37_79B9_7F4A_7C15;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong hash, ulong word)
    {
        hash = (hash ^ word) * 0xFF51_AFD7_ED55_8CCD;
        return hash ^ (hash >> 29);
    }

    private static ulong Hash(ReadOnlySpan<ulong> value, int[] words, ulong[] mask)
    {
        var hash = Seed;
        foreach (var w in words)
            hash = Mix(hash, value[w] & mask[w]);
        return hash;
    }
}
