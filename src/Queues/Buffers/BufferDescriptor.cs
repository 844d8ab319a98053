using System.Runtime.InteropServices;

namespace PdCluster.Queues.Buffers;

/// <summary>Per-buffer metadata that travels with a handle, mirroring the fields of PD's <c>PD_BUFFER</c> that matter.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BufferDescriptor
{
    /// <summary>Offset of the packet's first byte inside the buffer (RX leaves headroom before it).</summary>
    public int DataStart;

    /// <summary>RX: received length without FCS. TX: bytes to send.</summary>
    public int DataLength;

    /// <summary>Completion and metadata flags.</summary>
    public BufferFlags Flags;

    /// <summary>RSS hash of the packet, computed by the adapter.</summary>
    public uint RxHashValue;

    /// <summary>The <c>RxFilterContext</c> of the receive filter that steered the packet, or 0.</summary>
    public ulong RxFilterContext;

    /// <summary>Free for the client (PD's client context area), for example a timestamp or a flow id.</summary>
    public ulong ClientContext;
}

/// <summary>Flags a provider sets on a completed buffer.</summary>
[Flags]
public enum BufferFlags : uint
{
    None = 0,

    /// <summary>The buffer came back without data because the queue was flushed or the adapter went away.</summary>
    Flushed = 1,

    /// <summary>A receive filter matched; <see cref="BufferDescriptor.RxFilterContext"/> holds its context.</summary>
    FilterMatched = 2,

    /// <summary>The adapter computed <see cref="BufferDescriptor.RxHashValue"/>.</summary>
    HashValid = 4,
}
