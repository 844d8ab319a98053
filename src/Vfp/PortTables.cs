using System.Runtime.CompilerServices;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>A port's compiled policy in force with its layer and rule counters, published together so readers never mix two policies.</summary>
internal sealed class PortTables
{
    /// <summary>The bits of a <see cref="FlowKey"/> that tell flows apart under this policy: all but the TCP flags, unless a rule matches them.</summary>
    public readonly FlowKey FlowMask;

    private readonly CounterArray _counters;
    private readonly int[] _slots;

    public PortTables(CompiledPolicy policy)
    {
        Policy = policy;
        HasLayers = policy.Layers.Length > 0;
        _counters = new CounterArray(policy.Layers.Length + policy.Rules.Length);
        Path = new int[Math.Max(policy.MaxPath, 1)];
        _slots = new int[Path.Length * 2];
        ((Span<ulong>)FlowMask).Fill(ulong.MaxValue);
        if (!policy.MatchesTcpFlags)
            FlowMask.Set(MatchField.TcpFlags, 0UL);
    }

    public CompiledPolicy Policy { get; }

    /// <summary>Whether the policy has a layer; without one an enabled port blocks everything.</summary>
    public bool HasLayers { get; }

    /// <summary>The writer's room for a first packet's path.</summary>
    public int[] Path { get; }

    /// <summary>The counts of layer <paramref name="index"/>, in <see cref="CompiledPolicy.Layers"/> order.</summary>
    public VfpCounters Layer(int index) => _counters.Read(index);

    /// <summary>The counts of rule <paramref name="index"/>, in <see cref="CompiledPolicy.Rules"/> order.</summary>
    public VfpCounters Rule(int index) => _counters.Read(RuleRow(index));

    /// <summary>The tables for <paramref name="next"/>: a rule whose id stays, and a layer whose name stays, keep their counts.</summary>
    public PortTables Next(CompiledPolicy next)
    {
        var tables = new PortTables(next);
        var rules = Policy.Rules.Select((r, i) => (r.Rule.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        for (var i = 0; i < next.Rules.Length; i++)
        {
            if (rules.TryGetValue(next.Rules[i].Rule.Id, out var previous))
                tables._counters.CarryOver(_counters, RuleRow(previous), tables.RuleRow(i));
        }
        var layers = Policy.Layers.Select((l, i) => (l.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        for (var i = 0; i < next.Layers.Length; i++)
        {
            if (layers.TryGetValue(next.Layers[i].Name, out var previous))
                tables._counters.CarryOver(_counters, previous, i);
        }
        return tables;
    }

    /// <summary>
    /// The counter slots a packet of a flow that met <paramref name="path"/> and ended with <paramref name="verdict"/>
    /// counts in: each rule met, and each layer a rule or the layer's default decided. Valid until the writer's next call.
    /// </summary>
    public ReadOnlySpan<int> Slots(ReadOnlySpan<int> path, VfpVerdict verdict)
    {
        var length = 0;
        foreach (var step in path)
        {
            if (step < 0)
            {
                _slots[length++] = CounterArray.Slot(~step, VfpVerdict.Block);
                continue;
            }
            var rule = Policy.Rules[step];
            _slots[length++] = CounterArray.Slot(RuleRow(step), verdict);
            if (rule.Action != VfpAction.Count)
                _slots[length++] = CounterArray.Slot(rule.Layer, rule.Action == VfpAction.Block ? VfpVerdict.Block : VfpVerdict.Allow);
        }
        return _slots.AsSpan(0, length);
    }

    /// <summary>Counts one packet of <paramref name="bytes"/> in each of <paramref name="slots"/> (from <see cref="Slots"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Count(ReadOnlySpan<int> slots, int bytes) => _counters.Add(slots, bytes);

    private int RuleRow(int rule) => Policy.Layers.Length + rule;
}
