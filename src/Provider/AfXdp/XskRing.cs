using System.Runtime.CompilerServices;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// libxdp's <c>xsk_ring_prod</c>/<c>xsk_ring_cons</c> (48 bytes on x86-64) with its inline helpers mirrored in C#, so a
/// burst costs no native call: reserve/submit on a producer ring, peek/release on a consumer ring, need_wakeup.
/// </summary>
internal unsafe struct XskRing
{
#pragma warning disable CS0649 // libxdp fills these in when it maps the ring.
    public uint CachedProd;
    public uint CachedCons;
    public uint Mask;
    public uint Size;
    public uint* Producer;
    public uint* Consumer;
    public void* Ring;
    public uint* Flags;
#pragma warning restore CS0649

    /// <summary>The kernel's XDP_RING_NEED_WAKEUP bit in <see cref="Flags"/>.</summary>
    private const uint NeedWakeupFlag = 1;

    /// <summary>Free slots of a producer ring, refreshing the cached consumer when fewer than <paramref name="wanted"/> look free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ProdFree(uint wanted)
    {
        var free = CachedCons - CachedProd;
        if (free >= wanted)
            return free;
        CachedCons = Volatile.Read(ref *Consumer) + Size;
        return CachedCons - CachedProd;
    }

    /// <summary>xsk_ring_prod__reserve: up to <paramref name="wanted"/> slots from <paramref name="index"/>, all or nothing as libxdp does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Reserve(uint wanted, out uint index)
    {
        index = CachedProd;
        if (ProdFree(wanted) < wanted)
            return 0;
        CachedProd += wanted;
        return wanted;
    }

    /// <summary>xsk_ring_prod__submit: publishes <paramref name="count"/> reserved slots to the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Submit(uint count) => Volatile.Write(ref *Producer, *Producer + count);

    /// <summary>Entries a consumer ring holds, refreshing the cached producer when it looks empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ConsAvailable()
    {
        var entries = CachedProd - CachedCons;
        if (entries == 0)
        {
            CachedProd = Volatile.Read(ref *Producer);
            entries = CachedProd - CachedCons;
        }
        return entries;
    }

    /// <summary>xsk_ring_cons__peek: up to <paramref name="wanted"/> entries from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Peek(uint wanted, out uint index)
    {
        var entries = Math.Min(ConsAvailable(), wanted);
        index = CachedCons;
        CachedCons += entries;
        return entries;
    }

    /// <summary>xsk_ring_cons__release: hands <paramref name="count"/> peeked entries back to the kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release(uint count) => Volatile.Write(ref *Consumer, *Consumer + count);

    /// <summary>Entries the kernel published that this side has not released yet (a consumer ring), without consuming them.</summary>
    public readonly uint Pending => Volatile.Read(ref *Producer) - *Consumer;

    /// <summary>Entries this side published that the kernel has not consumed yet (a producer ring).</summary>
    public readonly uint Unconsumed => Volatile.Read(ref *Producer) - Volatile.Read(ref *Consumer);

    /// <summary>xsk_ring_prod__needs_wakeup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool NeedsWakeup() => (Volatile.Read(ref *Flags) & NeedWakeupFlag) != 0;

    /// <summary>The address slot <paramref name="index"/> of a fill or completion ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref ulong Address(uint index) => ref ((ulong*)Ring)[index & Mask];

    /// <summary>The descriptor slot <paramref name="index"/> of an RX or TX ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref XdpDesc Descriptor(uint index) => ref ((XdpDesc*)Ring)[index & Mask];
}
