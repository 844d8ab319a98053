using PdCluster.Queues.Rings;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM port of a switch: who it is (the fields <c>vfpctrl /list-vmswitch-port</c> shows), its admission gate, and its
/// two rings of buffer handles: <see cref="ToVm"/>, which the switch fills and the port's actor empties, and
/// <see cref="FromVm"/>, the other way round (one producer and one consumer each).
/// </summary>
public sealed class SwitchPort
{
    /// <summary>Slots in each of the port's rings unless told otherwise.</summary>
    public const int DefaultRingSlots = 1024;

    /// <summary>Makes a port for <paramref name="identity"/> with rings of <paramref name="ringSlots"/> slots.</summary>
    public SwitchPort(PortIdentity identity, int ringSlots = DefaultRingSlots)
    {
        Identity = identity;
        ToVm = new SpscRing<int>(ringSlots);
        FromVm = new SpscRing<int>(ringSlots);
    }

    /// <summary>Names, MAC and VM of the port.</summary>
    public PortIdentity Identity { get; }

    /// <summary>The VM adapter's static MAC: frames to it come to this port.</summary>
    public ulong Mac => Identity.Mac;

    /// <summary>Decides what crosses the port, per direction.</summary>
    public VfpGate Gate { get; } = new();

    /// <summary>Frames for the VM: the switch enqueues, the port's actor dequeues.</summary>
    public SpscRing<int> ToVm { get; }

    /// <summary>Frames the VM sent: the port's actor enqueues, the switch dequeues.</summary>
    public SpscRing<int> FromVm { get; }

    /// <summary>Whether the port's actor runs and the switch forwards to it (a VM port is initialized while its VM runs).</summary>
    public bool Initialized { get; internal set; }

    /// <summary>The port's counters.</summary>
    public PortCounters Counters { get; } = new();
}
