using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Vfp;
using PdCluster.VSwitch.Store;

namespace PdCluster.VSwitch;

/// <summary>
/// Applies the cluster's switch and VM records and VFP rules on the node that hosts them: a switch whose adapter is this
/// node's gets a <see cref="SwitchSupervisor"/>, each change to a VM on it, in store order, starts or stops the VM and
/// sets its ports' VFP state, and each change to a port's rules puts the port's new policy in force. A record or rule
/// that does not read is left out (the last good state stays; a refused rule is reported in the node's
/// <see cref="VfpRuleStatus"/>); a watch that ends, compacted or failed, starts again from a fresh read.
/// </summary>
public sealed class VSwitchAgent(VSwitchAgentSettings settings) : ActorBase
{
    private readonly Dictionary<string, (IActorRef Actor, SwitchDocument Document)> _switches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VmDocument> _vms = new(StringComparer.Ordinal);
    private readonly List<PrefixWatch> _watches = [];
    // Per port name: its switch and the rules in force, by id; and every stored rule refused, by key.
    private readonly Dictionary<string, (string Switch, SortedDictionary<string, VfpRule> Rules)> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<string, string> _refused = new(StringComparer.Ordinal);
    // The external ports that went down or moved since their switch started, by switch.
    private readonly SortedDictionary<string, ExternalPortChanged> _externalPorts = new(StringComparer.Ordinal);
    // Per VM: the revision of the record whose start was asked of its switch, and how the last start went.
    private readonly Dictionary<string, long> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _revisions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, VmStartOutcome> _starts = new(StringComparer.Ordinal);
    private Task _statusWrite = Task.CompletedTask;
    private long _appliedRevision;
    private int _generation;
    private int _incarnation;

    private string SwitchPrefix => $"/pd/{settings.Cluster}/vswitch/";

    private string VmPrefix => $"/pd/{settings.Cluster}/vms/";

    /// <summary>Props for the agent.</summary>
    public static Props Props(VSwitchAgentSettings settings) => Actors.Kernel.Props.Create(() => new VSwitchAgent(settings));

    private sealed record Snapshot(int Generation, RangeResult Switches, RangeResult Vms);

    private sealed record ReadFailed(int Generation);

    /// <inheritdoc/>
    protected override void PreStart() => Read();

    /// <inheritdoc/>
    protected override void PostStop()
    {
        foreach (var watch in _watches)
            watch.Dispose();
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Snapshot snapshot when snapshot.Generation == _generation:
                Resynced(snapshot);
                // Each prefix is watched from right after its own read, so nothing written between the two reads is lost.
                _watches.Add(PrefixWatch.Start(settings.Store, SwitchPrefix, snapshot.Switches.Revision + 1, _generation, Self));
                _watches.Add(PrefixWatch.Start(settings.Store, VmPrefix, snapshot.Vms.Revision + 1, _generation, Self));
                break;
            case PrefixWatch.Changed changed when changed.Generation == _generation:
                var key = changed.Event.Item.Key;
                var value = changed.Event.Type == WatchEventType.Put ? changed.Event.Item.Value : null;
                if (VfpRuleKey.TryParse(settings.Cluster, key) is { } rule)
                {
                    RuleChanged(rule, key, value);
                    ApplyRules(rule.Port);
                    RulesApplied(changed.Event.Revision);
                }
                else if (VfpRuleKey.IsSwitchRecord(settings.Cluster, key))
                    SwitchChanged(key, value);
                else if (key.StartsWith(VmPrefix, StringComparison.Ordinal))
                    VmChanged(key, value, changed.Event.Revision);
                break;
            case GetVfpRuleStatus:
                Sender.Tell(RuleStatus());
                break;
            case PrefixWatch.Failed failed when failed.Generation == _generation:
            case ReadFailed read when read.Generation == _generation:
                Context.Timers.StartSingleTimer("reread", new Reread(_generation), TimeSpan.FromMilliseconds(500));
                break;
            case Reread reread when reread.Generation == _generation:
                Read();
                break;
            case ToSwitch to when _switches.TryGetValue(to.Switch, out var target):
                target.Actor.Tell(to.Message, Sender);
                break;
            case ToSwitch to:
                Sender.Tell(new NoSuchSwitch(to.Switch));
                break;
            case GetSwitchStatuses:
                Statuses().PipeTo(Sender, statuses => statuses, e => new StatusFailure(e));
                break;
            case ExternalPortChanged changed when _switches.ContainsKey(changed.Switch):
                _externalPorts[changed.Switch] = changed;
                RulesApplied(_appliedRevision);
                break;
            case VmStarted started when _starting.Remove(started.Vm, out var revision):
                _starts[started.Vm] = new VmStartOutcome { Vm = started.Vm, Revision = revision };
                RulesApplied(_appliedRevision);
                break;
            case VmRefused refused when _starting.Remove(refused.Vm, out var revision):
                _starts[refused.Vm] = new VmStartOutcome { Vm = refused.Vm, Revision = revision, Error = refused.Error };
                RulesApplied(_appliedRevision);
                break;
            case VmStarted or VmStopped or ExternalPortChanged or VmRefused or PrefixWatch.Changed or PrefixWatch.Failed or Snapshot or ReadFailed or Reread:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private sealed record Reread(int Generation);

    /// <summary>Every running switch's status, by name; a switch that does not answer in time (its adapter still being handed over) is left out.</summary>
    private async Task<IReadOnlyList<SwitchStatus>> Statuses()
    {
        var asked = _switches.OrderBy(s => s.Key, StringComparer.Ordinal).Select(async s =>
        {
            try
            {
                return await s.Value.Actor.Ask<SwitchStatus>(new GetSwitchStatus(), TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is TimeoutException or InvalidCastException)
            {
                return null;
            }
        }).ToList();
        return [.. (await Task.WhenAll(asked)).OfType<SwitchStatus>()];
    }

    private void Read()
    {
        foreach (var watch in _watches)
            watch.Dispose();
        _watches.Clear();
        var generation = ++_generation;
        var self = Self;
        _ = Task.Run(async () =>
        {
            try
            {
                var switches = await settings.Store.RangeAsync(SwitchPrefix);
                var vms = await settings.Store.RangeAsync(VmPrefix);
                self.Tell(new Snapshot(generation, switches, vms));
            }
            catch (Exception)
            {
                self.Tell(new ReadFailed(generation));
            }
        });
    }

    /// <summary>Takes in a fresh read of both prefixes: switches first, then the rules (a rule gone meanwhile leaves), then the VMs.</summary>
    private void Resynced(Snapshot snapshot)
    {
        foreach (var item in snapshot.Switches.Items.Where(i => VfpRuleKey.IsSwitchRecord(settings.Cluster, i.Key)))
            SwitchChanged(item.Key, item.Value);
        var stored = snapshot.Switches.Items.Select(i => (Item: i, Rule: VfpRuleKey.TryParse(settings.Cluster, i.Key))).Where(r => r.Rule is not null).ToList();
        var present = stored.Select(r => r.Item.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (port, rules) in _rules.ToList())
            foreach (var id in rules.Rules.Keys.ToList())
            {
                var rule = new VfpRuleKey(rules.Switch, port, id);
                if (!present.Contains(rule.Key(settings.Cluster)))
                    RuleChanged(rule, rule.Key(settings.Cluster), null);
            }
        foreach (var key in _refused.Keys.Where(k => !present.Contains(k)).ToList())
            _refused.Remove(key);
        foreach (var (item, rule) in stored)
            RuleChanged(rule!, item.Key, item.Value);
        foreach (var port in _rules.Keys.ToList())
            ApplyRules(port);
        foreach (var item in snapshot.Vms.Items)
            VmChanged(item.Key, item.Value, item.ModRevision);
        RulesApplied(snapshot.Switches.Revision);
    }

    /// <summary>
    /// Takes in one stored rule written (<paramref name="value"/>) or deleted (null). A document that does not read is
    /// refused with its error, and the rule's last good version, if any, stays in force.
    /// </summary>
    private void RuleChanged(VfpRuleKey rule, string key, string? value)
    {
        if (!_rules.TryGetValue(rule.Port, out var port))
            _rules[rule.Port] = port = (rule.Switch, new SortedDictionary<string, VfpRule>(StringComparer.Ordinal));
        if (value is null)
        {
            port.Rules.Remove(rule.Id);
            _refused.Remove(key);
            return;
        }
        try
        {
            port.Rules[rule.Id] = VfpRule.Read(value, key, rule.Id);
            _refused.Remove(key);
        }
        catch (VfpRuleException e)
        {
            _refused[key] = e.Message;
        }
    }

    /// <summary>Puts port <paramref name="portName"/>'s rules in force, if its switch runs on this node.</summary>
    private void ApplyRules(string portName)
    {
        if (!_rules.TryGetValue(portName, out var port) || !_switches.ContainsKey(port.Switch))
            return;
        settings.VfpPorts.For(portName).Apply(VfpPolicy.FromRules([.. port.Rules.Values], $"port {portName}"));
    }

    /// <summary>Records that the rules are in force through <paramref name="revision"/> and writes the node's status, one write after the other.</summary>
    private void RulesApplied(long revision)
    {
        _appliedRevision = Math.Max(_appliedRevision, revision);
        var status = RuleStatus();
        var key = $"/pd/{settings.Cluster}/vswitch-status/{settings.Node}";
        var json = System.Text.Json.JsonSerializer.Serialize(status, VSwitchJson.Default.VfpRuleStatus);
        var store = settings.Store;
        _statusWrite = _statusWrite.ContinueWith(_ => store.PutAsync(key, json), TaskScheduler.Default).Unwrap();
    }

    private VfpRuleStatus RuleStatus() => new(settings.Node, _appliedRevision, [.. _refused.Select(r => new RefusedRule(r.Key, r.Value))])
    {
        ExternalPorts = [.. _externalPorts.Values.Select(p => new ExternalPortState { Switch = p.Switch, Adapter = p.Adapter, Failure = p.Failure })],
        Switches = [.. _switches.Keys.Order(StringComparer.Ordinal)],
        VmStarts = [.. _starts.Values],
    };

    private void SwitchChanged(string key, string? value)
    {
        var name = key[SwitchPrefix.Length..];
        if (value is null || VSwitchCatalog.TryRead(value, VSwitchJson.Default.SwitchDocument) is not { } document)
        {
            if (value is null && _switches.Remove(name, out var gone))
            {
                Context.Stop(gone.Actor);
                _externalPorts.Remove(name);
            }
            return;
        }
        if (!_switches.TryGetValue(name, out var running))
        {
            if (settings.SwitchFor(document) is not { } switchSettings)
                return;
            switchSettings = switchSettings with { VfpEnabled = document.VfpEnabled, VfpPorts = settings.VfpPorts };
            var props = settings.NodeSupervisor is { } node
                ? SwitchLoan.Props(node, switchSettings.MemberNames, switchSettings)
                : SwitchSupervisor.Props(switchSettings);
            _externalPorts.Remove(name);
            // A switch made again while its last incarnation still stops gets a name of its own.
            running = (Context.ActorOf(props, $"vswitch-{name}-{++_incarnation}"), document);
            _switches[name] = running;
            foreach (var port in _rules.Where(r => r.Value.Switch == name).Select(r => r.Key).ToList())
                ApplyRules(port);
            foreach (var vm in _vms.Values)
                Apply(null, vm);
        }
        _switches[name] = running with { Document = document };
        running.Actor.Tell(new SetVfpExtension(document.VfpEnabled), Self);
    }

    private void VmChanged(string key, string? value, long revision)
    {
        var name = key[VmPrefix.Length..];
        _revisions[name] = revision;
        var previous = _vms.GetValueOrDefault(name);
        var document = value is null ? null : VSwitchCatalog.TryRead(value, VSwitchJson.Default.VmDocument);
        if (value is not null && document is null)
            return;
        if (document is null)
            _vms.Remove(name);
        else
            _vms[name] = document;
        Apply(previous, document ?? new VmDocument { SchemaVersion = VSwitchCatalog.SchemaVersion, Name = name });
    }

    /// <summary>Starts, stops or reconfigures the VM's ports on this node's switches as the change from <paramref name="before"/> to <paramref name="now"/> says.</summary>
    private void Apply(VmDocument? before, VmDocument now)
    {
        foreach (var adapter in now.Adapters.Concat(before?.Adapters ?? []).DistinctBy(a => a.PortName))
        {
            if (!_switches.TryGetValue(adapter.Switch, out var sw))
                continue;
            var wasRunning = before is { Running: true } && before.Adapters.Contains(adapter);
            var current = now.Adapters.FirstOrDefault(a => a.PortName == adapter.PortName);
            if (wasRunning && (current is null || !now.Running))
                sw.Actor.Tell(new StopVm(now.Name), Self);
            if (current is null || !now.Running)
                continue;
            if (!wasRunning && AdapterInfo.TryParseMac(current.StaticMac, out var mac))
            {
                _starting[now.Name] = _revisions.GetValueOrDefault(now.Name);
                sw.Actor.Tell(new StartVm(new VmSpec(now.Name, mac, new PortIdentity(current.PortName, current.Name, current.Switch, current.PortId, mac, now.Name,
                    $"{now.Name}--{current.PortId}"), current.Address)), Self);
            }
            sw.Actor.Tell(new SetPortDisabled(current.PortName, current.VfpDisabled), Self);
        }
    }
}
