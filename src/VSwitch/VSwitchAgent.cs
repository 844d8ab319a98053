using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.VSwitch.Store;

namespace PdCluster.VSwitch;

/// <summary>
/// Applies the cluster's switch and VM records on the node that hosts them: a switch whose adapter is this node's gets
/// a <see cref="SwitchSupervisor"/>, and each change to a VM on it, in store order, starts or stops the VM and sets its
/// ports' VFP state. A record that does not read is left out (the last good state stays); a watch that ends starts again
/// from a fresh read.
/// </summary>
public sealed class VSwitchAgent(VSwitchAgentSettings settings) : ActorBase
{
    private readonly Dictionary<string, (IActorRef Actor, SwitchDocument Document)> _switches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VmDocument> _vms = new(StringComparer.Ordinal);
    private readonly List<PrefixWatch> _watches = [];
    private int _generation;
    private int _incarnation;

    private string SwitchPrefix => $"/pd/{settings.Cluster}/vswitch/";

    private string VmPrefix => $"/pd/{settings.Cluster}/vms/";

    /// <summary>Props for the agent.</summary>
    public static Props Props(VSwitchAgentSettings settings) => Actors.Kernel.Props.Create(() => new VSwitchAgent(settings));

    private sealed record Snapshot(int Generation, IReadOnlyList<KeyValue> Switches, IReadOnlyList<KeyValue> Vms, long Revision);

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
                foreach (var item in snapshot.Switches)
                    SwitchChanged(item.Key, item.Value);
                foreach (var item in snapshot.Vms)
                    VmChanged(item.Key, item.Value);
                _watches.Add(PrefixWatch.Start(settings.Store, SwitchPrefix, snapshot.Revision + 1, _generation, Self));
                _watches.Add(PrefixWatch.Start(settings.Store, VmPrefix, snapshot.Revision + 1, _generation, Self));
                break;
            case PrefixWatch.Changed changed when changed.Generation == _generation:
                var key = changed.Event.Item.Key;
                var value = changed.Event.Type == WatchEventType.Put ? changed.Event.Item.Value : null;
                if (key.StartsWith(SwitchPrefix, StringComparison.Ordinal))
                    SwitchChanged(key, value);
                else
                    VmChanged(key, value);
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
            case VmStarted or VmStopped or VmRefused or PrefixWatch.Changed or PrefixWatch.Failed or Snapshot or ReadFailed or Reread:
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
                self.Tell(new Snapshot(generation, switches.Items, vms.Items, Math.Max(switches.Revision, vms.Revision)));
            }
            catch (Exception)
            {
                self.Tell(new ReadFailed(generation));
            }
        });
    }

    private void SwitchChanged(string key, string? value)
    {
        var name = key[SwitchPrefix.Length..];
        if (value is null || VSwitchCatalog.TryRead(value, VSwitchJson.Default.SwitchDocument) is not { } document)
        {
            if (value is null && _switches.Remove(name, out var gone))
                Context.Stop(gone.Actor);
            return;
        }
        if (!_switches.TryGetValue(name, out var running))
        {
            if (settings.SwitchFor(document) is not { } switchSettings)
                return;
            switchSettings = switchSettings with { VfpEnabled = document.VfpEnabled };
            var props = settings.Node is { } node ? SwitchLoan.Props(node, document.Adapter, switchSettings) : SwitchSupervisor.Props(switchSettings);
            // A switch made again while its last incarnation still stops gets a name of its own.
            running = (Context.ActorOf(props, $"vswitch-{name}-{++_incarnation}"), document);
            _switches[name] = running;
            foreach (var vm in _vms.Values)
                Apply(null, vm);
        }
        _switches[name] = running with { Document = document };
        running.Actor.Tell(new SetVfpExtension(document.VfpEnabled), Self);
    }

    private void VmChanged(string key, string? value)
    {
        var name = key[VmPrefix.Length..];
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
                sw.Actor.Tell(new StartVm(new VmSpec(now.Name, mac, new PortIdentity(current.PortName, current.Name, current.Switch, current.PortId, mac, now.Name,
                    $"{now.Name}--{current.PortId}"), current.Address)), Self);
            sw.Actor.Tell(new SetPortDisabled(current.PortName, current.VfpDisabled), Self);
        }
    }
}
