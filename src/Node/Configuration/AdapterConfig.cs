using PdCluster.DataPath;

namespace PdCluster.Node.Configuration;

/// <summary>One adapter of the node.</summary>
public sealed class AdapterConfig
{
    /// <summary>The adapter's name (unique on the node).</summary>
    public string Name { get; set; } = "";

    /// <summary>Which provider runs it, by name (<see cref="Provider.PdProviderRegistry"/>): "simulated", "afxdp", "afpacket" or "auto" (AF_XDP where it works, else AF_PACKET).</summary>
    public string Provider { get; set; } = "simulated";

    /// <summary>Whether PacketDirect is enabled on it (what <c>pd adapter enable-pd / disable-pd</c> change).</summary>
    public bool Pd { get; set; } = true;

    /// <summary>Queue pairs (1 to the adapter's maximum).</summary>
    public int Queues { get; set; } = 2;

    /// <summary>Ring slots per queue, a power of two.</summary>
    public int QueueSize { get; set; } = 1024;

    /// <summary>
    /// Ring slots per receive queue, a power of two, when the receive side wants more than <see cref="QueueSize"/>
    /// (on AF_XDP, the buffers a queue keeps in the fill ring: what absorbs a burst while its thread is away).
    /// </summary>
    public int? ReceiveQueueSize { get; set; }

    /// <summary>The receive queues' ring slots in force: <see cref="ReceiveQueueSize"/>, or <see cref="QueueSize"/>.</summary>
    public int ReceiveQueueSizeInForce() => ReceiveQueueSize ?? QueueSize;

    /// <summary>Most packets a queue takes from its ring and runs through the pipeline per duty cycle.</summary>
    public int? Burst { get; set; }

    /// <summary>The burst in force: <see cref="Burst"/> when given, otherwise 64 or half of the smaller queue size when that is less.</summary>
    public int BurstInForce() => Burst ?? Math.Min(PdForwarder.DefaultBurstSize, Math.Max(1, SmallerQueueSize() / 2));

    /// <summary>The smaller of the receive and transmit queue sizes: a burst fits in half of it.</summary>
    public int SmallerQueueSize() => Math.Min(QueueSize, ReceiveQueueSizeInForce());

    /// <summary>Buffers in the adapter's pool.</summary>
    public int Buffers { get; set; } = 8192;

    /// <summary>Queue threads sleep on PD's drain notification when idle instead of backing off.</summary>
    public bool DrainNotification { get; set; }

    /// <summary>With <see cref="DrainNotification"/>: while traffic flows, queue threads sleep 20 µs between polls instead of spinning (for a queue thread with a core of its own).</summary>
    public bool PacedPoll { get; set; }

    /// <summary>Queues hand frames that are not IP (ARP, LLDP) back to the OS path (DPDK's exception path).</summary>
    public bool ExceptionPath { get; set; } = true;

    /// <summary>The pool checks every buffer handle it is given: a double return or a use after return fails the queue loudly (for testing; it costs speed).</summary>
    public bool CheckedBuffers { get; set; }

    /// <summary>The Linux interface the adapter is (providers "afxdp", "afpacket" and "auto").</summary>
    public string? Interface { get; set; }

    /// <summary>The network namespace the interface lives in, as named by <c>ip netns</c> (providers "afxdp", "afpacket" and "auto"; leave out for the node's own).</summary>
    public string? Namespace { get; set; }

    /// <summary>Labels a cluster filter's scope can pick the adapter by (<c>scope.adapterLabels</c>).</summary>
    public List<string>? Labels { get; set; }

    /// <summary>The team the adapter belongs to, by name (two or more adapters of the node): while a member is down, the first member up carries its filters and traffic.</summary>
    public string? Team { get; set; }

    /// <summary>IPv4 and IPv6 addresses the adapter serves (team members only): while it is down, the survivor announces them (gratuitous ARP, unsolicited neighbor advertisement).</summary>
    public List<string>? Addresses { get; set; }

    /// <summary>The simulated adapter and its traffic generator (provider "simulated").</summary>
    public SimulatedConfig? Simulated { get; set; }
}
