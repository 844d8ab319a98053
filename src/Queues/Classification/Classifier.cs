using System.Diagnostics;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// A compiled, immutable receive-filter table. Lookup is tuple-space search as in Open vSwitch: one hash table per
/// distinct field mask, visited in priority order and left early once no remaining table can hold a better rule,
/// so cost grows with the number of distinct masks, not rules. Publish a new table by swapping the reference.
/// </summary>
public sealed class Classifier
{
    /// <summary>How many prefixes a single rule's ranges may expand into before ranges are checked after the hash instead.</summary>
    public const int MaxExpansionPerRule = 256;

    private readonly Subtable[] _subtables;

    private Classifier(Subtable[] subtables, int ruleCount, int entryCount)
    {
        Debug.Assert(subtables.Zip(subtables.Skip(1)).All(p => p.First.BestRank <= p.Second.BestRank),
            "Classify stops at the first subtable that cannot beat its match: subtables must be in best-rank order.");
        _subtables = subtables;
        RuleCount = ruleCount;
        EntryCount = entryCount;
    }

    /// <summary>A table that matches nothing.</summary>
    public static Classifier Empty { get; } = new([], 0, 0);

    /// <summary>Rules compiled in.</summary>
    public int RuleCount { get; }

    /// <summary>Distinct masks: the number of hash lookups in the worst case.</summary>
    public int SubtableCount => _subtables.Length;

    /// <summary>Hash entries after range expansion.</summary>
    public int EntryCount { get; }

    /// <summary>Compiles <paramref name="rules"/>; a malformed rule fails with <see cref="FilterSpecException"/> naming its index.</summary>
    public static Classifier Compile(IReadOnlyList<ClassifierRule> rules)
    {
        var order = new int[rules.Count];
        for (var i = 0; i < order.Length; i++)
        {
            try
            {
                rules[i].Validate();
            }
            catch (FilterSpecException e)
            {
                throw new FilterSpecException($"Rule {i}: {e.Message}");
            }
            order[i] = i;
        }
        Array.Sort(order, (a, b) => rules[a].Priority != rules[b].Priority ? rules[a].Priority.CompareTo(rules[b].Priority) : a.CompareTo(b));

        var groups = new Dictionary<ulong[], List<Subtable.Entry>>(WordsComparer.Instance);
        var entryCount = 0;
        for (var rank = 0; rank < order.Length; rank++)
        {
            foreach (var entry in Expand(rules[order[rank]], rank, order[rank]))
            {
                if (!groups.TryGetValue(entry.Mask, out var list))
                    groups.Add(entry.Mask, list = []);
                list.Add(entry);
                entryCount++;
            }
        }

        var subtables = groups.Select(g => new Subtable(g.Key, g.Value)).OrderBy(s => s.BestRank).ToArray();
        return new Classifier(subtables, rules.Count, entryCount);
    }

    /// <summary>The index (in the compiled list) of the highest-priority rule matching <paramref name="key"/>, or -1.</summary>
    public int Classify(in FlowKey key)
    {
        Debug.Assert(HoldsKeyInvariants(in key), "An IPv4 header is present but its addresses are not IPv4-mapped.");
        var bestRank = int.MaxValue;
        var bestRule = -1;
        foreach (var table in _subtables)
        {
            if (table.BestRank >= bestRank)
                break;
            var rule = table.Lookup(in key, bestRank, out var rank);
            if (rule >= 0)
            {
                bestRank = rank;
                bestRule = rule;
            }
        }
        return bestRule;
    }

    /// <summary>What <see cref="SignificantBits"/> relies on: a key with an IPv4 header has IPv4-mapped addresses.</summary>
    private static bool HoldsKeyInvariants(in FlowKey key) =>
        (!key.Has(PacketHeaders.Ipv4) || (PacketParser.IsIpv4Mapped(key.Get(MatchField.SourceIp)) && PacketParser.IsIpv4Mapped(key.Get(MatchField.DestinationIp))))
        && (!key.Has(PacketHeaders.InnerIpv4) || (PacketParser.IsIpv4Mapped(key.Get(MatchField.InnerSourceIp)) && PacketParser.IsIpv4Mapped(key.Get(MatchField.InnerDestinationIp))));

    private static IEnumerable<Subtable.Entry> Expand(ClassifierRule rule, int rank, int index)
    {
        var mask = new FlowKey();
        var value = new FlowKey();
        var residuals = new List<FieldMatch>();
        var ranges = new List<(MatchField Field, List<(UInt128 Value, UInt128 Mask)> Prefixes)>();
        var combinations = 1;

        foreach (var m in rule.Matches)
        {
            // Every condition needs its header: the header's presence bit joins the mask, set in the value.
            var header = m.Header;
            mask.SetPresent(header);
            value.SetPresent(header);
            var spec = FieldSpec.Of(m.Field);
            var significant = SignificantBits(header, spec);
            switch (m.Type)
            {
                case FieldMatchType.Equal:
                    mask.Set(m.Field, significant);
                    value.Set(m.Field, m.Value & significant);
                    break;
                case FieldMatchType.MaskEqual:
                    mask.Set(m.Field, m.Operand & significant);
                    value.Set(m.Field, m.Value & m.Operand & significant);
                    break;
                case FieldMatchType.InRange:
                    var prefixes = new List<(UInt128, UInt128)>();
                    if (RangeExpansion.TryExpand(m.Value, m.Operand, spec.Bits, MaxExpansionPerRule / combinations, prefixes))
                    {
                        combinations *= prefixes.Count;
                        ranges.Add((m.Field, [.. prefixes.Select(p => (p.Item1 & significant, p.Item2 & significant))]));
                    }
                    else
                    {
                        residuals.Add(m);
                    }
                    break;
                default:
                    residuals.Add(m);
                    break;
            }
        }

        var residualArray = residuals.Count == 0 ? null : residuals.ToArray();
        var combination = new int[ranges.Count];
        for (var n = 0; n < combinations; n++)
        {
            var m = mask;
            var v = value;
            var rest = n;
            for (var r = 0; r < ranges.Count; r++)
            {
                var (field, prefixes) = ranges[r];
                var (pv, pm) = prefixes[rest % prefixes.Count];
                rest /= prefixes.Count;
                m.Set(field, pm);
                v.Set(field, pv & pm);
            }
            yield return new Subtable.Entry(ToArray(m), ToArray(v), rank, index, residualArray);
        }
    }

    /// <summary>
    /// The bits of a field a hash entry compares. An IPv4 address condition needs the IPv4 header, whose presence
    /// already says the address is IPv4-mapped, so only the low 32 bits are left to compare: one key word, not two.
    /// </summary>
    private static UInt128 SignificantBits(PacketHeaders header, FieldSpec spec) =>
        header is PacketHeaders.Ipv4 or PacketHeaders.InnerIpv4 ? uint.MaxValue : spec.FieldMask;

    private static ulong[] ToArray(FlowKey key)
    {
        var words = new ulong[FlowKey.Words];
        for (var i = 0; i < words.Length; i++)
            words[i] = key[i];
        return words;
    }

    private sealed class WordsComparer : IEqualityComparer<ulong[]>
    {
        public static readonly WordsComparer Instance = new();

        public bool Equals(ulong[]? x, ulong[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(ulong[] words)
        {
            var hash = new HashCode();
            foreach (var w in words)
                hash.Add(w);
            return hash.ToHashCode();
        }
    }
}
