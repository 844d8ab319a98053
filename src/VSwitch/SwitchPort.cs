using PdCluster.Concurrency;
using PdCluster.Queues.Rings;
using PdCluster.Vfp;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM port of a switch: who it is (the fields <c>vfpctrl /list-vmswitch-port</c> shows), its VFP port, and its
/// two rings of buffer handles: <see cref="ToVm"/>, which the switch fills and the port's actor empties, and
/// <see cref="FromVm"/>, the other way round (one producer and one consumer each). A producer wakes the ring's consumer
/// through its signal, so neither thread polls an empty ring while it waits.
/// </summary>
public sealed class SwitchPort
{
    /// <summary>Slots in each of the port's rings unless told otherwise.</summary>
    public const int DefaultRingSlots = 1024;

    private volatile bool _vfpEnabled;
    private WakeSignal? _portSignal;
    private WakeSignal? _switchSignal;

    /// <summary>
    /// Makes a port for <paramref name="identity"/> with rings of <paramref name="ringSlots"/> slots, filtered by
    /// <paramref name="vfp"/> (the port's VFP state, which outlives the port: a new one when null).
    /// </summary>
    public SwitchPort(PortIdentity identity, VfpPort? vfp = null, int ringSlots = DefaultRingSlots)
    {
        Identity = identity;
        Vfp = vfp ?? new VfpPort(identity.PortName);
        ToVm = new SpscRing<int>(ringSlots);
        FromVm = new SpscRing<int>(ringSlots);
    }

    /// <summary>Names, MAC and VM of the port.</summary>
    public PortIdentity Identity { get; }

    /// <summary>The VM adapter's static MAC: frames to it come to this port.</summary>
    public ulong Mac => Identity.Mac;

    /// <summary>The port's VFP: its rules, disabled flag, flow table and counters.</summary>
    public VfpPort Vfp { get; }

    /// <summary>Whether the switch's VFP extension is on: off, everything crosses the port unfiltered (Hyper-V without the extension).</summary>
    public bool VfpEnabled { get => _vfpEnabled; set => _vfpEnabled = value; }

    /// <summary>Whether the port blocks all its traffic: VFP on, the port enabled, and no rules.</summary>
    public bool Blocked => _vfpEnabled && !Vfp.IsDisabled && Vfp.Policy.Rules.Count == 0;

    /// <summary>Frames for the VM: the switch enqueues, the port's actor dequeues.</summary>
    public SpscRing<int> ToVm { get; }

    /// <summary>Frames the VM sent: the port's actor enqueues, the switch dequeues.</summary>
    public SpscRing<int> FromVm { get; }

    /// <summary>Wakes the port's actor: the switch sets it after putting frames in <see cref="ToVm"/>; null while no actor runs.</summary>
    public WakeSignal? PortSignal { get => Volatile.Read(ref _portSignal); set => Volatile.Write(ref _portSignal, value); }

    /// <summary>Wakes the switch's thread: the port's actor sets it after putting frames in <see cref="FromVm"/>; the switch gives it when it attaches the port.</summary>
    public WakeSignal? SwitchSignal { get => Volatile.Read(ref _switchSignal); set => Volatile.Write(ref _switchSignal, value); }

    /// <summary>Whether the switch put frames in <see cref="ToVm"/> this cycle and has not woken the port yet (the switch's thread only).</summary>
    internal bool ToVmPending { get; set; }

    /// <summary>Whether the port's actor runs and the switch forwards to it (a VM port is initialized while its VM runs).</summary>
    public bool Initialized { get; internal set; }

    /// <summary>The port's counters.</summary>
    public PortCounters Counters { get; } = new();
}
