using System.Net;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// One switch: opens the external port on the PD adapter's queues, runs the <see cref="SwitchActor"/>, and starts,
/// stops and supervises a <see cref="VmPortActor"/> per running VM. A port whose actor fails is restarted with its rings
/// and queues (three times in ten seconds at most); one that keeps failing, a crashed VM, is stopped, its buffers
/// drained, and reported in <see cref="SwitchStatus.CrashedVms"/> until the VM starts again, as is a VM that did not start. When the adapter is
/// surprise-removed the fabric stops forwarding (its receive queue fails; what the VMs send is dropped), and the switch
/// says which VMs' traffic stopped (an <see cref="ActorError"/>) and reports it in <see cref="SwitchStatus.AdapterFailure"/>;
/// it then reopens the external port by itself on the first team member present (<see cref="SwitchSettings.Standby"/>),
/// or on the adapter when it arrives again (an <see cref="ActorNotice"/> says so), and announces its running VMs' MACs on
/// that link. The VM ports stay attached throughout, their VFP state untouched.
/// </summary>
public sealed class SwitchSupervisor : ActorBase
{
    private readonly SwitchSettings _settings;
    private readonly Dictionary<string, (IActorRef Actor, SwitchPort Port, VmSpec Spec, VmPortLink Link)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, (string Vm, IActorRef Sender)> _stopping = [];
    private readonly Dictionary<string, (StartVm Start, IActorRef Sender)> _startsAfterStop = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disabledOnStart = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    private IReadOnlyList<PdAdapter> _members = [];
    private IReadOnlyList<string> _names = [];
    private bool[] _present = [];
    private IDisposable[] _events = [];
    private IPdProvider? _provider;
    private int _carrier;
    private long _reopens;
    private BufferCache? _cache;
    private SwitchFabric? _fabric;
    private string? _removal;
    private bool _vfpEnabled;

    /// <summary>Builds the switch <paramref name="settings"/> describe.</summary>
    public SwitchSupervisor(SwitchSettings settings)
    {
        _settings = settings;
        _vfpEnabled = settings.VfpEnabled;
    }

    /// <summary>Props for a switch supervisor.</summary>
    public static Props Props(SwitchSettings settings) => Actors.Kernel.Props.Create(() => new SwitchSupervisor(settings));

    /// <inheritdoc/>
    protected override SupervisorStrategy SupervisorStrategy { get; } = new OneForOneStrategy(3, TimeSpan.FromSeconds(10), _ => Directive.Restart);

    /// <inheritdoc/>
    protected override void PreStart()
    {
        _members = [_settings.External, .. _settings.Standby];
        _names = _settings.MemberNames;
        _present = [.. _members.Select(_ => true)];
        _cache = _settings.Pool.CreateCache(256);
        var (rx, tx) = Open(0);
        _fabric = new SwitchFabric(rx, tx, _cache, _provider!.OsPath, ManagementMac());
        Context.ActorOf(Actors.Kernel.Props.Create(() => new SwitchActor(_fabric)).WithDispatcher(Actors.Kernel.Props.PinnedDispatcher), "switch");
        var self = Self;
        _events = [.. _members.Select((member, i) => member.Events.Subscribe(e => self.Tell(new ExternalEvent(i, e))))];
    }

    /// <summary>A device event of the team member at <paramref name="Member"/> (0: <see cref="SwitchSettings.External"/>).</summary>
    private sealed record ExternalEvent(int Member, DeviceEvent Event);

    /// <summary>Looks whether the external port can move to a present member now that its adapter is gone.</summary>
    private sealed record ReopenExternal;

    /// <summary>Opens a provider on member <paramref name="member"/> and the external port's queues on it.</summary>
    private (IPdQueue Rx, IPdQueue Tx) Open(int member)
    {
        _provider = _members[member].OpenProvider();
        _carrier = member;
        var rx = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, _settings.QueueSize, _settings.Pool), 1)[0];
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, _settings.QueueSize, _settings.Pool));
        return (rx, tx);
    }

    private ulong ManagementMac() => _settings.AllowManagementOs ? _provider!.Adapter.Mac : 0;

    /// <summary>The adapter carrying the external port is gone (the fabric stops forwarding when its receive queue fails): says whose traffic stopped.</summary>
    private void ExternalRemoved()
    {
        if (_removal is not null)
            return;
        var vms = _running.Count == 0 ? "no VM was running" : $"the traffic of VM(s) {string.Join(", ", _running.Keys.Order(StringComparer.Ordinal))} stopped";
        var message = $"switch {_settings.Name}: its adapter {_names[_carrier]} was surprise-removed; {vms}.";
        _removal = message;
        Context.System.EventStream.Publish(new ActorError(Self, message, new PdException(PdStatus.DeviceRemoved, message)));
        Context.Parent.Tell(new ExternalPortChanged(_settings.Name, null, message));
        Self.Tell(new ReopenExternal());
    }

    /// <summary>
    /// Once the fabric has drained and let go of the failed queues, closes their provider and reopens the external port on the first
    /// present member (the adapter that arrived again, or a team survivor); with none present it waits for an arrival.
    /// </summary>
    private void Reopen()
    {
        if (_removal is null)
            return;
        if (!_fabric!.ExternalReleased)
        {
            // The device fails its queues as it goes; the switch's thread sees it and drains them at its next cycles.
            Context.Timers.StartSingleTimer("reopen", new ReopenExternal(), TimeSpan.FromMilliseconds(20));
            return;
        }
        CloseProvider();
        for (var member = 0; member < _members.Count; member++)
        {
            if (!_present[member])
                continue;
            try
            {
                var (rx, tx) = Open(member);
                _fabric.Reopen(rx, tx, _provider!.OsPath, ManagementMac());
                _removal = null;
                _reopens++;
                Context.System.EventStream.Publish(new ActorNotice($"switch {_settings.Name}: its external port reopened on {_names[member]}; the VMs' traffic flows again."));
                Context.Parent.Tell(new ExternalPortChanged(_settings.Name, _names[member], null));
                AnnounceVms(member);
                return;
            }
            catch (Exception e) when (e is PdException or PdNotSupportedException or IOException or InvalidOperationException)
            {
                CloseProvider();
                _present[member] = false;
                _removal = $"switch {_settings.Name}: its external port did not reopen on {_names[member]}: {e.Message}";
                Context.System.EventStream.Publish(new ActorError(Self, _removal, e));
                Context.Parent.Tell(new ExternalPortChanged(_settings.Name, null, _removal));
            }
        }
    }

    /// <summary>
    /// Tells the link of <paramref name="member"/>, which now carries the external port, where each running VM's MAC is
    /// (a gratuitous ARP of its address, or a RARP request when it has none), so the upstream switches send its traffic there.
    /// </summary>
    private void AnnounceVms(int member)
    {
        if (_members[member].Announcer is not { } announcer || _running.Count == 0)
            return;
        var vms = _running.Values.Select(r => (r.Spec.Name, r.Spec.Mac, Address: IPAddress.TryParse(_settings.VmHost.AddressOf(r.Spec)?.Split('/')[0], out var ip) ? ip : null)).ToList();
        var (events, self, switchName, name) = (Context.System.EventStream, Self, _settings.Name, _names[member]);
        _ = Task.Run(() =>
        {
            foreach (var (vm, mac, address) in vms)
            {
                try
                {
                    announcer.Announce(mac, address);
                }
                catch (PdException e)
                {
                    events.Publish(new ActorError(self, $"switch {switchName}: announcing VM {vm}'s MAC on {name} failed: {e.Message}", e));
                }
            }
        });
    }

    private void CloseProvider()
    {
        var provider = _provider;
        _provider = null;
        if (provider is null)
            return;
        try
        {
            provider.ReleaseReceiveQueues();
        }
        catch (PdException)
        {
            // A removed device has no receive queues left to give back.
        }
        finally
        {
            provider.Dispose();
        }
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StartVm start when _stopping.Values.Any(s => s.Vm == start.Spec.Name):
                _startsAfterStop[start.Spec.Name] = (start, Sender);
                break;
            case StartVm start:
                Sender.Tell(Start(start.Spec));
                break;
            case StopVm stop when _running.Remove(stop.Vm, out var running):
                _stopping[running.Actor] = (stop.Vm, Sender);
                Context.Stop(running.Actor);
                break;
            case StopVm stop:
                Sender.Tell(new VmStopped(stop.Vm));
                break;
            case Terminated terminated:
                Ended(terminated.ActorRef);
                break;
            case SetVfpExtension extension:
                _vfpEnabled = extension.Enabled;
                foreach (var (_, port, _, _) in _running.Values)
                    port.VfpEnabled = extension.Enabled;
                break;
            case SetPortDisabled state when _startsAfterStop.Values.Any(s => s.Start.Spec.Port.PortName == state.PortName):
                if (state.Disabled)
                    _disabledOnStart.Add(state.PortName);
                else
                    _disabledOnStart.Remove(state.PortName);
                break;
            case SetPortDisabled state when state.Disabled:
                _settings.VfpPorts.For(state.PortName).Disable();
                break;
            case SetPortDisabled state:
                _settings.VfpPorts.For(state.PortName).Enable();
                break;
            case GetSwitchStatus:
                Sender.Tell(Status());
                break;
            case ExternalEvent { Event: DeviceEvent.SurpriseRemoval } removed:
                _present[removed.Member] = false;
                if (removed.Member == _carrier)
                    ExternalRemoved();
                break;
            case ExternalEvent { Event: DeviceEvent.Arrival } arrived:
                _present[arrived.Member] = true;
                Reopen();
                break;
            case ExternalEvent:
                break;
            case ReopenExternal:
                Reopen();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Stops every port, then closes the external port: its queues drained, the adapter's RSS given back.</summary>
    protected override void PostStop()
    {
        foreach (var subscription in _events)
            subscription.Dispose();
        try
        {
            _fabric?.Quiesce(TimeSpan.FromSeconds(5));
        }
        catch (PdException e) when (e.Status == PdStatus.DeviceRemoved)
        {
            // The device went as the switch stopped and took its queues with it; closing the provider reclaims their buffers.
        }
        finally
        {
            _cache?.Dispose();
            CloseProvider();
        }
    }

    private object Start(VmSpec spec)
    {
        if (_running.TryGetValue(spec.Name, out var already))
            return already.Port.Identity.PortName == spec.Port.PortName
                ? new VmStarted(spec.Name, spec.Port.PortName)
                : Failed(spec, $"VM {spec.Name} already has port {already.Port.Identity.PortName} on switch {_settings.Name}; a VM has one network adapter, so port {spec.Port.PortName} is left out.");
        if (_fabric!.Table.Find(spec.Mac) is { } owner)
            return Failed(spec, $"VM {spec.Name} did not start: MAC {SwitchFabric.MacText(spec.Mac)} is already on port {owner.Identity.PortName} (VM {owner.Identity.VmName}).");
        // A (re)started VM's port comes up enabled, so blocked until it has rules, unless a disable came while it started.
        var vfp = _settings.VfpPorts.For(spec.Port.PortName);
        if (_disabledOnStart.Remove(spec.Port.PortName))
            vfp.Disable();
        else
            vfp.Reset();
        var port = new SwitchPort(spec.Port, vfp) { VfpEnabled = _vfpEnabled };
        VmPortLink link;
        IVm? vm = null;
        try
        {
            vm = _settings.VmHost.Start(spec);
            link = new VmPortLink(port, vm, _settings.Pool);
        }
        catch (Exception e) when (e is PdException or PdAdapterOptionsException or IOException or InvalidOperationException)
        {
            vm?.Dispose();
            return Failed(spec, $"VM {spec.Name} did not start on switch {_settings.Name}: {e.Message}");
        }
        if (link.Fallback is not null)
        {
            var message = $"switch {_settings.Name}: the port of VM {spec.Name} runs on {link.Provider}: {link.Fallback}.";
            Context.System.EventStream.Publish(new ActorError(Self, message, new PdException(PdStatus.NotSupported, message)));
        }
        _fabric.Attach(port);
        port.Initialized = true;
        var actor = Context.ActorOf(Actors.Kernel.Props.Create(() => new VmPortActor(link, _fabric, _settings.Pool)).WithDispatcher(Actors.Kernel.Props.PinnedDispatcher),
            $"port-{spec.Name}");
        Context.Watch(actor);
        _running[spec.Name] = (actor, port, spec, link);
        _crashed.Remove(spec.Name);
        return new VmStarted(spec.Name, spec.Port.PortName);
    }

    /// <summary>A VM that did not start: logged, listed among the crashed VMs until it starts, and answered as refused.</summary>
    private VmRefused Failed(VmSpec spec, string error)
    {
        _crashed.Add(spec.Name);
        Context.System.EventStream.Publish(new ActorError(Self, error, new InvalidOperationException(error)));
        return new VmRefused(spec.Name, error);
    }

    /// <summary>A port actor ended: asked to (its VM stopped) or after failing for good (its VM crashed).</summary>
    private void Ended(IActorRef actor)
    {
        if (_stopping.Remove(actor, out var stopped))
        {
            stopped.Sender.Tell(new VmStopped(stopped.Vm));
            // A start asked for while the VM was stopping (a reboot) goes ahead once the port has left the switch.
            if (_startsAfterStop.Remove(stopped.Vm, out var start))
                start.Sender.Tell(Start(start.Start.Spec));
            return;
        }
        foreach (var (vm, running) in _running.Where(r => r.Value.Actor.Equals(actor)).ToList())
        {
            _running.Remove(vm);
            _crashed.Add(vm);
        }
    }

    private SwitchStatus Status()
    {
        var fabric = _fabric!;
        var ports = _running.Values.OrderBy(r => r.Port.Identity.PortId).Select(r => new PortStatus(r.Port.Identity, r.Port.Initialized, r.Port.Blocked,
            r.Port.Vfp.IsDisabled, r.Port.Vfp.Policy.Rules.Count, r.Port.Counters.Inbound, r.Port.Counters.Outbound, r.Port.Counters.InboundBlocked,
            r.Port.Counters.OutboundBlocked, r.Port.Counters.RingDrops) { Provider = r.Link.Provider, ProviderFallback = r.Link.Fallback }).ToList();
        return new SwitchStatus(_settings.Name, _vfpEnabled, fabric.FromWire, fabric.ToWire, fabric.HandedToOs, fabric.Flooded, fabric.Dropped,
            ports, [.. _crashed.Order(StringComparer.Ordinal)], _removal ?? fabric.Failure)
        {
            ExternalAdapter = _removal is null && fabric.Failure is null ? _names[_carrier] : null,
            ExternalReopens = _reopens,
        };
    }
}
