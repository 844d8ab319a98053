using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;

namespace PdCluster.Vfp;

/// <summary>
/// VFP on one VM port: the policy in force, the port's state and its unified flow table. Enabled (the state a port
/// starts in and comes back to on <see cref="Reset"/>), a port passes a packet only when its rules allow it, so a
/// port without rules blocks everything both ways; disabled, it lets everything through. <see cref="Process"/> and
/// <see cref="ProcessBurst"/> run on the port's queue thread; the other members may be called from any thread.
/// </summary>
public sealed class VfpPort
{
    private readonly UnifiedFlowTable? _flows;
    private PortTables _tables;
    private CompiledPolicy? _pending;
    private VfpPolicy _policy = VfpPolicy.Empty;
    private int _generation = 1;
    private bool _disabled;
    private readonly CounterArray _counters = new(1);
    private readonly Lock _applying = new();

    /// <summary>An enabled port with no rules; <paramref name="flowTableCapacity"/> 0 runs every packet through the layers.</summary>
    public VfpPort(string name, int flowTableCapacity = 65_536)
    {
        Name = name;
        _flows = flowTableCapacity > 0 ? new UnifiedFlowTable(flowTableCapacity) : null;
        _tables = new PortTables(CompiledPolicy.Compile(VfpPolicy.Empty));
    }

    /// <summary>The port's name.</summary>
    public string Name { get; }

    /// <summary>Whether the port lets everything through (<c>disable-port</c>).</summary>
    public bool IsDisabled => Volatile.Read(ref _disabled);

    /// <summary>The policy last applied (in force from the port's next packet).</summary>
    public VfpPolicy Policy => Volatile.Read(ref _policy);

    /// <summary>Lets every packet through, rules or not (vfpctrl's <c>/disable-port</c>).</summary>
    public void Disable() => SetDisabled(true);

    /// <summary>Enforces the rules again (<c>/enable-port</c>).</summary>
    public void Enable() => SetDisabled(false);

    /// <summary>The state after a VM reboot: enabled, so blocked until it has rules or is disabled again; every cached flow is forgotten.</summary>
    public void Reset() => SetDisabled(false);

    /// <summary>
    /// Compiles <paramref name="policy"/> on the caller's thread and hands it to the port, which takes it up at its
    /// next packet, forgetting every cached flow; rules and layers whose names stay keep their counters.
    /// </summary>
    public void Apply(VfpPolicy policy)
    {
        var compiled = CompiledPolicy.Compile(policy);
        lock (_applying)
        {
            Volatile.Write(ref _pending, compiled);
            Volatile.Write(ref _policy, policy);
        }
    }

    /// <summary>Decides one parsed packet crossing the port in <paramref name="direction"/>, applying its NAT rewrite to <paramref name="frame"/> in place.</summary>
    public VfpVerdict Process(VfpDirection direction, Span<byte> frame, ref PacketInfo info)
    {
        TakeUpPending();
        return Decide(direction, frame, ref info, Volatile.Read(ref _generation));
    }

    /// <summary>
    /// Decides a burst, as the data path holds one: the packets of <paramref name="handles"/> in <paramref name="pool"/>,
    /// their parsed headers in <paramref name="info"/>, a verdict each into <paramref name="verdicts"/>.
    /// </summary>
    public void ProcessBurst(VfpDirection direction, BufferPool pool, ReadOnlySpan<int> handles, Span<PacketInfo> info, Span<VfpVerdict> verdicts)
    {
        TakeUpPending();
        var generation = Volatile.Read(ref _generation);
        for (var i = 0; i < handles.Length; i++)
            verdicts[i] = Decide(direction, pool.Packet(handles[i]), ref info[i], generation);
    }

    /// <summary>The port's state and counters now.</summary>
    public VfpPortSnapshot Snapshot()
    {
        var tables = Volatile.Read(ref _tables);
        var policy = tables.Policy;
        var layers = policy.Layers.Select((l, i) => new VfpLayerCounters(l.Name, tables.Layer(i))).ToList();
        var rules = policy.Rules.Select((r, i) => new VfpRuleCounters(r.Rule.Id, r.Rule.Layer, r.Rule.Group, r.Rule.Direction, r.Action, tables.Rule(i))).ToList();
        var flows = _flows is null ? default : new VfpFlowTableCounters(_flows.Capacity, _flows.Hits, _flows.Misses, _flows.Evictions);
        return new VfpPortSnapshot(Name, IsDisabled, policy.Rules.Length, _counters.Read(0), layers, rules, flows);
    }

    private void SetDisabled(bool disabled)
    {
        Volatile.Write(ref _disabled, disabled);
        Interlocked.Increment(ref _generation);
    }

    private void TakeUpPending()
    {
        if (Volatile.Read(ref _pending) is null)
            return;
        var next = Interlocked.Exchange(ref _pending, null)!;
        _flows?.EnsurePath(next.MaxPath);
        Volatile.Write(ref _tables, _tables.Next(next));
        Interlocked.Increment(ref _generation);
    }

    private VfpVerdict Decide(VfpDirection direction, Span<byte> frame, ref PacketInfo info, int generation)
    {
        VfpVerdict verdict;
        var tables = _tables;
        if (Volatile.Read(ref _disabled))
            verdict = VfpVerdict.Allow;
        else if (!tables.HasLayers)
        {
            // Nothing to cache: an enabled port without rules blocks everything.
            verdict = VfpVerdict.Block;
        }
        else if (_flows is not { } flows)
            verdict = Walk(tables, direction, frame, ref info, 0, generation);
        else
        {
            var entry = flows.Find(in info.Key, in tables.FlowMask, direction, generation, out var hash);
            verdict = entry >= 0 ? Hit(flows, entry, tables, frame, ref info) : Walk(tables, direction, frame, ref info, hash, generation);
        }
        _counters.Add(CounterArray.Slot(0, verdict), frame.Length);
        return verdict;
    }

    /// <summary>A packet of a cached flow: the verdict, counts and rewrite of its first packet, without walking the layers.</summary>
    private static VfpVerdict Hit(UnifiedFlowTable flows, int entry, PortTables tables, Span<byte> frame, ref PacketInfo info)
    {
        var verdict = flows.Verdict(entry);
        tables.Count(flows.Slots(entry), frame.Length);
        if (verdict == VfpVerdict.Allow && flows.Rewrites(entry))
            flows.Rewrite(entry).Apply(frame, ref info);
        return verdict;
    }

    /// <summary>A flow's first packet (or every packet, without a flow table): walks the layers and caches the outcome.</summary>
    private VfpVerdict Walk(PortTables tables, VfpDirection direction, Span<byte> frame, ref PacketInfo info, ulong hash, int generation)
    {
        var key = info.Key;
        var rewrite = default(FlowRewrite);
        var verdict = tables.Policy.Evaluate(direction, ref key, ref rewrite, tables.Path, out var length);
        var slots = tables.Slots(tables.Path.AsSpan(0, length), verdict);
        _flows?.Add(in info.Key, in tables.FlowMask, hash, generation, verdict, in rewrite, slots);
        tables.Count(slots, frame.Length);
        if (verdict == VfpVerdict.Allow)
            rewrite.Apply(frame, ref info);
        return verdict;
    }
}
