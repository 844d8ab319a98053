using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PdCluster.Queues.Packets;

/// <summary>The two MAC addresses at the head of an Ethernet frame.</summary>
public static class EthernetAddresses
{
    /// <summary>Bytes of the destination and source addresses together.</summary>
    public const int Length = 12;

    /// <summary>
    /// Swaps the destination and source addresses in place (two loads and two stores), so the frame goes back where it
    /// came from. Returns false, changing nothing, when the frame is shorter than the two addresses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Swap(Span<byte> frame)
    {
        if (frame.Length < Length)
            return false;
        ref var b = ref MemoryMarshal.GetReference(frame);
        var head = Unsafe.ReadUnaligned<ulong>(ref b);
        var tail = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, 8));
        if (BitConverter.IsLittleEndian)
        {
            // head holds d0..d5 s0 s1 with d0 in the lowest byte, tail s2..s5.
            Unsafe.WriteUnaligned(ref b, (head >> 48) | ((ulong)tail << 16) | (head << 48));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref b, 8), (uint)(head >> 16));
        }
        else
        {
            for (var i = 0; i < 6; i++)
                (frame[i], frame[6 + i]) = (frame[6 + i], frame[i]);
        }
        return true;
    }
}
