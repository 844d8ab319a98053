using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.VSwitch;

/// <summary>
/// One switch: opens the external port on the PD adapter's queues, runs the <see cref="SwitchActor"/>, and starts,
/// stops and supervises a <see cref="VmPortActor"/> per running VM. A port whose actor fails is restarted with its rings
/// and queues (three times in ten seconds at most); one that keeps failing, a crashed VM, is stopped, its buffers
/// drained, and reported in <see cref="SwitchStatus.CrashedVms"/> until the VM starts again. When the adapter is
/// surprise-removed the fabric stops forwarding (its receive queue fails; what the VMs send is dropped), and the switch
/// says which VMs' traffic stopped (an <see cref="ActorError"/>) and reports it in <see cref="SwitchStatus.AdapterFailure"/>.
/// </summary>
public sealed class SwitchSupervisor : ActorBase
{
    private readonly SwitchSettings _settings;
    private readonly Dictionary<string, (IActorRef Actor, SwitchPort Port)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, (string Vm, IActorRef Sender)> _stopping = [];
    private readonly Dictionary<string, (StartVm Start, IActorRef Sender)> _startsAfterStop = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disabledOnStart = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _crashed = new(StringComparer.Ordinal);
    private IPdProvider? _provider;
    private BufferCache? _cache;
    private SwitchFabric? _fabric;
    private IDisposable? _events;
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
        _provider = _settings.External.OpenProvider();
        var rx = _provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, _settings.QueueSize, _settings.Pool), 1)[0];
        var tx = _provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, _settings.QueueSize, _settings.Pool));
        _cache = _settings.Pool.CreateCache(256);
        _fabric = new SwitchFabric(rx, tx, _cache, _provider.OsPath, _settings.AllowManagementOs ? _provider.Adapter.Mac : 0);
        Context.ActorOf(Actors.Kernel.Props.Create(() => new SwitchActor(_fabric)).WithDispatcher(Actors.Kernel.Props.PinnedDispatcher), "switch");
        var self = Self;
        _events = _settings.External.Events.Subscribe(e => self.Tell(new ExternalEvent(e)));
    }

    private sealed record ExternalEvent(DeviceEvent Event);

    /// <summary>The adapter is gone (the fabric stops forwarding when its receive queue fails): says whose traffic stopped.</summary>
    private void ExternalRemoved()
    {
        if (_removal is not null)
            return;
        var vms = _running.Count == 0 ? "no VM was running" : $"the traffic of VM(s) {string.Join(", ", _running.Keys.Order(StringComparer.Ordinal))} stopped";
        var message = $"switch {_settings.Name}: its adapter {_settings.External.Info.Name} was surprise-removed; {vms}.";
        _removal = message;
        Context.System.EventStream.Publish(new ActorError(Self, message, new PdException(PdStatus.DeviceRemoved, message)));
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
                foreach (var (_, port) in _running.Values)
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
            case ExternalEvent { Event: DeviceEvent.SurpriseRemoval }:
                ExternalRemoved();
                break;
            case ExternalEvent:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Stops every port, then closes the external port: its queues drained, the adapter's RSS given back.</summary>
    protected override void PostStop()
    {
        _events?.Dispose();
        try
        {
            _fabric?.Quiesce(TimeSpan.FromSeconds(5));
        }
        catch (PdException e) when (_removal is not null && e.Status == PdStatus.DeviceRemoved)
        {
            // The device took its queues with it; closing the provider reclaims their buffers.
        }
        finally
        {
            _cache?.Dispose();
            try
            {
                _provider?.ReleaseReceiveQueues();
            }
            finally
            {
                _provider?.Dispose();
            }
        }
    }

    private object Start(VmSpec spec)
    {
        if (_running.ContainsKey(spec.Name))
            return new VmRefused(spec.Name, $"VM {spec.Name} is already running.");
        if (_fabric!.Table.Find(spec.Mac) is { } owner)
            return new VmRefused(spec.Name, $"MAC {SwitchFabric.MacText(spec.Mac)} is already on port {owner.Identity.PortName} (VM {owner.Identity.VmName}).");
        // A (re)started VM's port comes up enabled, so blocked until it has rules, unless a disable came while it started.
        var vfp = _settings.VfpPorts.For(spec.Port.PortName);
        if (_disabledOnStart.Remove(spec.Port.PortName))
            vfp.Disable();
        else
            vfp.Reset();
        var port = new SwitchPort(spec.Port, vfp) { VfpEnabled = _vfpEnabled };
        VmPortLink link;
        try
        {
            link = new VmPortLink(port, _settings.VmHost.Start(spec), _settings.Pool);
        }
        catch (Exception e) when (e is PdException or IOException or InvalidOperationException)
        {
            return new VmRefused(spec.Name, $"VM {spec.Name} did not start: {e.Message}");
        }
        _fabric.Attach(port);
        port.Initialized = true;
        var actor = Context.ActorOf(Actors.Kernel.Props.Create(() => new VmPortActor(link, _fabric, _settings.Pool)).WithDispatcher(Actors.Kernel.Props.PinnedDispatcher),
            $"port-{spec.Name}");
        Context.Watch(actor);
        _running[spec.Name] = (actor, port);
        _crashed.Remove(spec.Name);
        return new VmStarted(spec.Name, spec.Port.PortName);
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
        var ports = _running.Values.Select(r => r.Port).OrderBy(p => p.Identity.PortId).Select(p => new PortStatus(p.Identity, p.Initialized, p.Blocked,
            p.Vfp.IsDisabled, p.Vfp.Policy.Rules.Count, p.Counters.Inbound, p.Counters.Outbound, p.Counters.InboundBlocked, p.Counters.OutboundBlocked,
            p.Counters.RingDrops)).ToList();
        return new SwitchStatus(_settings.Name, _vfpEnabled, fabric.FromWire, fabric.ToWire, fabric.HandedToOs, fabric.Flooded, fabric.Dropped,
            ports, [.. _crashed.Order(StringComparer.Ordinal)], _removal ?? fabric.Failure);
    }
}
