namespace PdCluster.Vfp;

/// <summary>A port's compiled policy in force with its layer and rule counters, published together so readers never mix two policies.</summary>
internal sealed class PortTables(CompiledPolicy policy)
{
    public CompiledPolicy Policy { get; } = policy;

    /// <summary>One row per layer, in <see cref="CompiledPolicy.Layers"/> order.</summary>
    public CounterArray Layers { get; } = new(policy.Layers.Length);

    /// <summary>One row per rule, in <see cref="CompiledPolicy.Rules"/> order.</summary>
    public CounterArray Rules { get; } = new(policy.Rules.Length);

    /// <summary>The writer's room for a first packet's path.</summary>
    public int[] Path { get; } = new int[Math.Max(policy.MaxPath, 1)];

    /// <summary>The tables for <paramref name="next"/>: a rule whose id stays, and a layer whose name stays, keep their counts.</summary>
    public PortTables Next(CompiledPolicy next)
    {
        var tables = new PortTables(next);
        var rules = Policy.Rules.Select((r, i) => (r.Rule.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        for (var i = 0; i < next.Rules.Length; i++)
        {
            if (rules.TryGetValue(next.Rules[i].Rule.Id, out var previous))
                tables.Rules.CarryOver(Rules, previous, i);
        }
        var layers = Policy.Layers.Select((l, i) => (l.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        for (var i = 0; i < next.Layers.Length; i++)
        {
            if (layers.TryGetValue(next.Layers[i].Name, out var previous))
                tables.Layers.CarryOver(Layers, previous, i);
        }
        return tables;
    }

    /// <summary>Counts one packet of a flow that met <paramref name="path"/> and ended with <paramref name="verdict"/>.</summary>
    public void Count(ReadOnlySpan<int> path, VfpVerdict verdict, int bytes)
    {
        foreach (var step in path)
        {
            if (step < 0)
            {
                Layers.Add(~step, VfpVerdict.Block, bytes);
                continue;
            }
            var rule = Policy.Rules[step];
            Rules.Add(step, verdict, bytes);
            if (rule.Action != VfpAction.Count)
                Layers.Add(rule.Layer, rule.Action == VfpAction.Block ? VfpVerdict.Block : VfpVerdict.Allow, bytes);
        }
    }
}
