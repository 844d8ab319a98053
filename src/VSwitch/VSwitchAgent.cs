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
/// sets its ports' VFP state, and each change to a port's rules puts the port's new policy in force. Every record is
/// checked as the commands check it (<see cref="VSwitchRecords"/>): one that does not read or hold (a VM taking another's
/// port name or MAC, a running VM's adapters changed, a key under the switches that is no record or rule) is refused
/// in the node's <see cref="VfpRuleStatus"/> with its key and problem, and its last good version stays in force, also
/// across a restart of the node (the status keeps it). A watch that ends, compacted or failed, starts again from a fresh read.
/// </summary>
public sealed class VSwitchAgent(VSwitchAgentSettings settings) : ActorBase
{
    private readonly Dictionary<string, (IActorRef Actor, SwitchDocument Document)> _switches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VmDocument> _vms = new(StringComparer.Ordinal);
    private readonly List<PrefixWatch> _watches = [];
    // Per port name: its switch and the rules in force, by id; and every stored record refused, by key.
    private readonly Dictionary<string, (string Switch, SortedDictionary<string, VfpRule> Rules)> _rules = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<string, string> _refused = new(StringComparer.Ordinal);
    // The VM records refused, by key, tried again when another VM changes (the one whose port name or MAC they took may leave).
    private readonly Dictionary<string, KeyValue> _waitingVms = new(StringComparer.Ordinal);
    // The last good versions of refused records this node's status held when it started, by key: taken up when the record is still refused.
    private Dictionary<string, string>? _lastGood;
    // The external port of each running switch, and the MAC of each adapter it may run on, by switch.
    private readonly SortedDictionary<string, ExternalPortState> _externalPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> _externalMacs = new(StringComparer.Ordinal);
    // Per VM: the revision of the record whose start was asked of its switch, and how the last start went.
    private readonly Dictionary<string, long> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _revisions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, VmStartOutcome> _starts = new(StringComparer.Ordinal);
    private Task _statusWrite = Task.CompletedTask;
    private long _appliedRevision;
    private int _generation;
    private int _incarnation;

    private string SwitchPrefix => $"/pd/{settings.Cluster}/vswitch/";

    private string VmPrefix => StoredRecords.VmPrefix(settings.Cluster);

    private string StatusKey => $"/pd/{settings.Cluster}/vswitch-status/{settings.Node}";

    /// <summary>Props for the agent.</summary>
    public static Props Props(VSwitchAgentSettings settings) => Actors.Kernel.Props.Create(() => new VSwitchAgent(settings));

    private sealed record Snapshot(int Generation, RangeResult Switches, RangeResult Vms, RangeResult Status);

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
                _lastGood ??= snapshot.Status.Items.Select(i => VSwitchCatalog.TryRead(i.Value, VSwitchJson.Default.VfpRuleStatus)).OfType<VfpRuleStatus>()
                    .SelectMany(s => s.Refused).Where(r => r.InForce is not null).ToDictionary(r => r.Key, r => r.InForce!, StringComparer.Ordinal);
                Resynced(snapshot);
                // Each prefix is watched from right after its own read, so nothing written between the two reads is lost.
                _watches.Add(PrefixWatch.Start(settings.Store, SwitchPrefix, snapshot.Switches.Revision + 1, _generation, Self));
                _watches.Add(PrefixWatch.Start(settings.Store, VmPrefix, snapshot.Vms.Revision + 1, _generation, Self));
                break;
            case PrefixWatch.Changed changed when changed.Generation == _generation:
                var item = changed.Event.Item;
                var value = changed.Event.Type == WatchEventType.Put ? item.Value : null;
                if (VfpRuleKey.TryParse(settings.Cluster, item.Key) is { } rule)
                {
                    RuleChanged(rule, item.Key, value);
                    ApplyRules(rule.Port);
                }
                else if (VfpRuleKey.IsSwitchRecord(settings.Cluster, item.Key))
                    SwitchChanged(item, value);
                else if (item.Key.StartsWith(VmPrefix, StringComparison.Ordinal))
                    VmChanged(item, value);
                else
                    Misplaced(item.Key, value);
                Applied(changed.Event.Revision);
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
                _externalPorts[changed.Switch] = new ExternalPortState
                {
                    Switch = changed.Switch,
                    Adapter = changed.Adapter,
                    Mac = changed.Adapter is null ? null : _externalMacs[changed.Switch].GetValueOrDefault(changed.Adapter),
                    Failure = changed.Failure,
                };
                Applied(_appliedRevision);
                break;
            case VmStarted started when _starting.Remove(started.Vm, out var revision):
                _starts[started.Vm] = new VmStartOutcome { Vm = started.Vm, Revision = revision };
                Applied(_appliedRevision);
                break;
            case VmRefused refused when _starting.Remove(refused.Vm, out var revision):
                _starts[refused.Vm] = new VmStartOutcome { Vm = refused.Vm, Revision = revision, Error = refused.Error };
                Applied(_appliedRevision);
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
                var status = await settings.Store.GetAsync(StatusKey);
                self.Tell(new Snapshot(generation, switches, vms, status));
            }
            catch (Exception)
            {
                self.Tell(new ReadFailed(generation));
            }
        });
    }

    /// <summary>Takes in a fresh read of both prefixes: switches first, then the rules (a rule gone meanwhile leaves), then the VMs (in the order they were created: the first keeps a contested port name or MAC).</summary>
    private void Resynced(Snapshot snapshot)
    {
        var present = snapshot.Switches.Items.Concat(snapshot.Vms.Items).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _refused.Keys.Where(k => !present.Contains(k)).ToList())
            _refused.Remove(key);
        foreach (var item in snapshot.Switches.Items.Where(i => VfpRuleKey.TryParse(settings.Cluster, i.Key) is null))
        {
            if (VfpRuleKey.IsSwitchRecord(settings.Cluster, item.Key))
                SwitchChanged(item, item.Value);
            else
                Misplaced(item.Key, item.Value);
        }
        var stored = snapshot.Switches.Items.Select(i => (Item: i, Rule: VfpRuleKey.TryParse(settings.Cluster, i.Key))).Where(r => r.Rule is not null).ToList();
        foreach (var (port, rules) in _rules.ToList())
            foreach (var id in rules.Rules.Keys.ToList())
            {
                var rule = new VfpRuleKey(rules.Switch, port, id);
                if (!present.Contains(rule.Key(settings.Cluster)))
                    RuleChanged(rule, rule.Key(settings.Cluster), null);
            }
        foreach (var (item, rule) in stored)
            RuleChanged(rule!, item.Key, item.Value);
        foreach (var port in _rules.Keys.ToList())
            ApplyRules(port);
        foreach (var gone in _vms.Keys.Where(name => !present.Contains(VmPrefix + name)).ToList())
            VmChanged(new KeyValue(VmPrefix + gone, "", 0, 0, 0, 0), null);
        foreach (var item in snapshot.Vms.Items.OrderBy(i => i.CreateRevision))
            VmChanged(item, item.Value);
        Applied(snapshot.Switches.Revision);
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
            if (!port.Rules.ContainsKey(rule.Id) && LastGood(key) is { } good)
                port.Rules[rule.Id] = VfpRule.Read(good, key, rule.Id);
        }
    }

    /// <summary>
    /// The last good version of refused record <paramref name="key"/> that this node's status held when it started, once,
    /// or null; one that no longer reads (another pd wrote the status) is null too.
    /// </summary>
    private string? LastGood(string key)
    {
        if (_lastGood?.Remove(key, out var good) != true)
            return null;
        try
        {
            return VfpRuleKey.TryParse(settings.Cluster, key) is { } rule ? VfpRule.Read(good!, key, rule.Id).ToJson() : good;
        }
        catch (VfpRuleException)
        {
            return null;
        }
    }

    /// <summary>Takes in a key under the switches that is neither a switch record nor a rule: refused while it is there.</summary>
    private void Misplaced(string key, string? value)
    {
        if (value is null)
            _refused.Remove(key);
        else
            _refused[key] = VfpRuleKey.TryParseFiled(settings.Cluster, key) is { } rule ? VfpRuleKey.BadId(key, rule) : VfpRuleKey.Misplaced(key);
    }

    /// <summary>Puts port <paramref name="portName"/>'s rules in force, if its switch runs on this node.</summary>
    private void ApplyRules(string portName)
    {
        if (!_rules.TryGetValue(portName, out var port) || !_switches.ContainsKey(port.Switch))
            return;
        settings.VfpPorts.For(portName).Apply(VfpPolicy.FromRules([.. port.Rules.Values], $"port {portName}"));
    }

    /// <summary>Records that the store is applied through <paramref name="revision"/> and writes the node's status, one write after the other.</summary>
    private void Applied(long revision)
    {
        _appliedRevision = Math.Max(_appliedRevision, revision);
        var json = System.Text.Json.JsonSerializer.Serialize(RuleStatus(), VSwitchJson.Default.VfpRuleStatus);
        var store = settings.Store;
        var key = StatusKey;
        _statusWrite = _statusWrite.ContinueWith(_ => store.PutAsync(key, json), TaskScheduler.Default).Unwrap();
    }

    private VfpRuleStatus RuleStatus() => new(settings.Node, _appliedRevision, [.. _refused.Select(r => new RefusedRecord(r.Key, r.Value) { InForce = InForce(r.Key) })])
    {
        ExternalPorts = [.. _externalPorts.Values],
        Teams = settings.Teams,
        VmStarts = [.. _starts.Values],
    };

    /// <summary>The version of refused record <paramref name="key"/> this node keeps in force instead, as stored JSON, or null for none.</summary>
    private string? InForce(string key)
    {
        if (VfpRuleKey.TryParse(settings.Cluster, key) is { } rule)
            return _rules.TryGetValue(rule.Port, out var port) && port.Rules.TryGetValue(rule.Id, out var good) ? good.ToJson() : null;
        if (VfpRuleKey.IsSwitchRecord(settings.Cluster, key))
            return _switches.TryGetValue(key[SwitchPrefix.Length..], out var sw) ? System.Text.Json.JsonSerializer.Serialize(sw.Document, VSwitchJson.Default.SwitchDocument) : null;
        return key.StartsWith(VmPrefix, StringComparison.Ordinal) && _vms.TryGetValue(key[VmPrefix.Length..], out var vm)
            ? System.Text.Json.JsonSerializer.Serialize(vm, VSwitchJson.Default.VmDocument) : null;
    }

    /// <summary>
    /// Takes in switch record <paramref name="item"/> written (<paramref name="value"/>) or deleted (null). A record that
    /// does not hold is refused; the switch runs on as it was, or, at the node's start, as its last good version says.
    /// </summary>
    private void SwitchChanged(KeyValue item, string? value)
    {
        var name = item.Key[SwitchPrefix.Length..];
        if (value is null)
        {
            _refused.Remove(item.Key);
            if (_switches.Remove(name, out var gone))
            {
                Context.Stop(gone.Actor);
                _externalPorts.Remove(name);
                _externalMacs.Remove(name);
            }
            return;
        }
        if (StoredRecords.SwitchProblem(item, name, out var document) is { } problem)
        {
            _refused[item.Key] = problem;
            if (_switches.ContainsKey(name) || LastGood(item.Key) is not { } good || StoredRecords.SwitchProblem(item with { Value = good }, name, out document) is not null)
                return;
        }
        else
            _refused.Remove(item.Key);
        if (!_switches.TryGetValue(name, out var running))
        {
            if (settings.SwitchFor(document!) is not { } switchSettings)
                return;
            switchSettings = switchSettings with { VfpEnabled = document!.VfpEnabled, VfpPorts = settings.VfpPorts };
            var props = settings.NodeSupervisor is { } node
                ? SwitchLoan.Props(node, switchSettings.MemberNames, switchSettings)
                : SwitchSupervisor.Props(switchSettings);
            _externalMacs[name] = switchSettings.MemberNames.Zip([switchSettings.External, .. switchSettings.Standby], (n, a) => (n, a.Info.MacText))
                .ToDictionary(m => m.n, m => m.MacText, StringComparer.Ordinal);
            _externalPorts[name] = new ExternalPortState { Switch = name, Adapter = switchSettings.MemberNames[0], Mac = switchSettings.External.Info.MacText };
            // A switch made again while its last incarnation still stops gets a name of its own.
            running = (Context.ActorOf(props, $"vswitch-{name}-{++_incarnation}"), document);
            _switches[name] = running;
            foreach (var port in _rules.Where(r => r.Value.Switch == name).Select(r => r.Key).ToList())
                ApplyRules(port);
            foreach (var vm in _vms.Values)
                Apply(null, vm);
        }
        _switches[name] = running with { Document = document! };
        running.Actor.Tell(new SetVfpExtension(document!.VfpEnabled), Self);
    }

    /// <summary>
    /// Takes in VM record <paramref name="item"/> written (<paramref name="value"/>) or deleted (null). A record that does
    /// not hold beside the VMs in force is refused and its last good version, if any, stays in force; it is tried again
    /// whenever another VM changes.
    /// </summary>
    private void VmChanged(KeyValue item, string? value)
    {
        var name = item.Key[VmPrefix.Length..];
        _revisions[name] = item.ModRevision;
        var previous = _vms.GetValueOrDefault(name);
        if (value is null)
        {
            _refused.Remove(item.Key);
            _waitingVms.Remove(item.Key);
            if (_vms.Remove(name))
                Apply(previous, new VmDocument { SchemaVersion = VSwitchCatalog.SchemaVersion, Name = name });
            RetryWaitingVms();
            return;
        }
        var problem = StoredRecords.VmProblem(item, name, _vms.Values, out var document);
        if (problem is null && previous is { Running: true } && document!.Running && !SamePorts(previous, document))
            problem = $"{item.Key}: adapters: changed while VM {name} runs (pd vm adapter add refuses that too); stop the VM first.";
        problem ??= ExternalMacProblem(item.Key, document!);
        if (problem is not null)
        {
            _refused[item.Key] = problem;
            _waitingVms[item.Key] = item;
            if (previous is null && LastGood(item.Key) is { } good && StoredRecords.VmProblem(item with { Value = good }, name, _vms.Values, out var last) is null)
            {
                _vms[name] = last!;
                Apply(null, last!);
            }
            return;
        }
        _refused.Remove(item.Key);
        _waitingVms.Remove(item.Key);
        _vms[name] = document!;
        Apply(previous, document!);
        RetryWaitingVms();

        static bool SamePorts(VmDocument a, VmDocument b) =>
            a.Adapters.Select(x => x.PortName).Order(StringComparer.Ordinal).SequenceEqual(b.Adapters.Select(x => x.PortName).Order(StringComparer.Ordinal));
    }

    /// <summary>Why VM record <paramref name="key"/> cannot run here: an adapter's MAC is that of its switch's external adapter (the wire's frames to it would go to the VM); or null.</summary>
    private string? ExternalMacProblem(string key, VmDocument vm)
    {
        for (var i = 0; i < vm.Adapters.Count; i++)
            if (_externalMacs.TryGetValue(vm.Adapters[i].Switch, out var macs) && AdapterInfo.TryParseMac(vm.Adapters[i].StaticMac, out var mac)
                && macs.FirstOrDefault(m => m.Value == AdapterInfo.FormatMac(mac)) is { Key: { } adapter })
                return $"{key}: adapters[{i}].staticMac: {AdapterInfo.FormatMac(mac)} is the MAC of switch {vm.Adapters[i].Switch}'s external adapter {adapter}.";
        return null;
    }

    /// <summary>Tries the refused VM records again, oldest first, while one of them comes in.</summary>
    private void RetryWaitingVms()
    {
        foreach (var item in _waitingVms.Values.OrderBy(i => i.CreateRevision).ToList())
            if (_waitingVms.ContainsKey(item.Key))
            {
                var refusedBefore = _refused.GetValueOrDefault(item.Key);
                VmChanged(item, item.Value);
                if (!_waitingVms.ContainsKey(item.Key) || _refused.GetValueOrDefault(item.Key) != refusedBefore)
                    return;
            }
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
