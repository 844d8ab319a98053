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
