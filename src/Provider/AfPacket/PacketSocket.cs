using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// One AF_PACKET socket bound to an interface with its ring mapped: a TPACKET_V3 receive ring (blocks of frames the
/// kernel retires to user space) or a TPACKET_V2 transmit ring (fixed frames). Open it inside the interface's network
/// namespace; it works from any thread afterwards.
/// </summary>
internal sealed unsafe class PacketSocket : IDisposable
{
    /// <summary>Bytes of a transmit frame; the packet starts <see cref="TransmitDataOffset"/> bytes in.</summary>
    public const int TransmitFrameSize = 2048;

    /// <summary>Where a TPACKET_V2 transmit frame's packet starts: after the aligned header.</summary>
    public const int TransmitDataOffset = 32;

    private const int ReceiveFrameSize = 2048;
    private readonly int _ifindex;
    private int _disposed;

    private PacketSocket(int fd, int ifindex, byte* ring, nuint ringBytes)
    {
        Fd = fd;
        _ifindex = ifindex;
        Ring = ring;
        RingBytes = ringBytes;
    }

    public int Fd { get; }

    public byte* Ring { get; }

    public nuint RingBytes { get; }

    /// <summary>A receive socket on <paramref name="ifindex"/> with a ring of <paramref name="blockCount"/> blocks, filtered by <paramref name="program"/> from the first frame.</summary>
    public static PacketSocket Receive(string device, int ifindex, int blockSize, int blockCount, SockFilter[] program)
    {
        var request = new PacketSys.TpacketRequest
        {
            BlockSize = (uint)blockSize,
            BlockCount = (uint)blockCount,
            FrameSize = ReceiveFrameSize,
            FrameCount = (uint)(blockSize / ReceiveFrameSize * blockCount),
            RetireBlockTimeoutMs = 1,
        };
        return Open(device, ifindex, PacketSys.TpacketV3, PacketSys.PacketRxRing, request, (nuint)blockSize * (nuint)blockCount, PacketSys.EthPAll, program);
    }

    /// <summary>A transmit-only socket on <paramref name="ifindex"/> (bound to no protocol, so it receives nothing) with <paramref name="frames"/> frames.</summary>
    public static PacketSocket Transmit(string device, int ifindex, int frames)
    {
        var blocks = (frames + 1) / 2;
        var request = new PacketSys.TpacketRequest { BlockSize = 2 * TransmitFrameSize, BlockCount = (uint)blocks, FrameSize = TransmitFrameSize, FrameCount = (uint)(2 * blocks) };
        return Open(device, ifindex, PacketSys.TpacketV2, PacketSys.PacketTxRing, request, (nuint)(2 * TransmitFrameSize * blocks), 0, null);
    }

    /// <summary>Replaces the socket's filter; the kernel swaps it atomically.</summary>
    public void Attach(SockFilter[] program)
    {
        fixed (SockFilter* code = program)
        {
            var fprog = new PacketSys.SockFprog { Length = (ushort)program.Length, Filter = code };
            if (Posix.setsockopt(Fd, Posix.SolSocket, PacketSys.SoAttachFilter, &fprog, (uint)sizeof(PacketSys.SockFprog)) != 0)
                throw new PdException(PdStatus.InvalidParameter, $"The kernel refused the socket filter ({program.Length} instructions): {Posix.LastError()}.");
        }
    }

    /// <summary>Joins fanout group <paramref name="group"/>, spreading the interface's frames over its sockets by flow hash (PD's RSS).</summary>
    public void JoinFanout(ushort group)
    {
        var value = group | (PacketSys.PacketFanoutHash << 16);
        if (Posix.setsockopt(Fd, PacketSys.SolPacket, PacketSys.PacketFanout, &value, sizeof(int)) != 0)
            throw new PdException(PdStatus.NotSupported, $"Joining PACKET_FANOUT group {group} failed: {Posix.LastError()}.");
    }

    /// <summary>Whether the interface the socket was bound to is gone: the kernel unbinds it then (its index reads -1).</summary>
    public bool DeviceGone
    {
        get
        {
            var address = stackalloc byte[20];
            uint length = 20;
            return PacketSys.getsockname(Fd, address, &length) != 0 || *(int*)(address + 4) != _ifindex;
        }
    }

    /// <summary>Reads and clears the socket's pending error (ENETDOWN after the interface went down), 0 when none.</summary>
    public int TakeError()
    {
        int error = 0;
        uint length = sizeof(int);
        Posix.getsockopt(Fd, Posix.SolSocket, 4, &error, &length);
        return error;
    }

    /// <summary>Frames the kernel dropped because the ring was full since the last call (reading resets the kernel's count).</summary>
    public long TakeRingDrops()
    {
        var stats = stackalloc uint[3];
        uint length = 12;
        return Posix.getsockopt(Fd, PacketSys.SolPacket, PacketSys.PacketStatistics, stats, &length) == 0 ? stats[1] : 0;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        PacketSys.munmap(Ring, RingBytes);
        Posix.close(Fd);
    }

    private static PacketSocket Open(string device, int ifindex, int version, int ringOption, PacketSys.TpacketRequest request, nuint ringBytes, ushort protocol, SockFilter[]? program)
    {
        var fd = Posix.socket(PacketSys.AfPacket, PacketSys.SockRawCloexec, 0);
        if (fd < 0)
            throw new PdException(PdStatus.NotSupported, $"Opening an AF_PACKET socket failed: {Posix.LastError()} (it needs CAP_NET_RAW).");
        try
        {
            Set(fd, PacketSys.PacketVersion, version, "PACKET_VERSION");
            if (Posix.setsockopt(fd, PacketSys.SolPacket, ringOption, &request, (uint)sizeof(PacketSys.TpacketRequest)) != 0)
                throw new PdException(PdStatus.InsufficientResources, $"Setting up the {(ringOption == PacketSys.PacketRxRing ? "TPACKET_V3 RX" : "TPACKET_V2 TX")} ring ({ringBytes >> 10} KiB) failed: {Posix.LastError()}.");
            var ring = (byte*)PacketSys.mmap(null, ringBytes, PacketSys.ProtRead | PacketSys.ProtWrite, PacketSys.MapShared, fd, 0);
            if (ring == (byte*)-1)
                throw new PdException(PdStatus.InsufficientResources, $"Mapping the packet ring ({ringBytes >> 10} KiB) failed: {Posix.LastError()}.");
            var socket = new PacketSocket(fd, ifindex, ring, ringBytes);
            fd = -1;
            try
            {
                if (program is not null)
                    socket.Attach(program);
                var address = stackalloc byte[20];
                new Span<byte>(address, 20).Clear();
                *(ushort*)address = PacketSys.AfPacket;
                *(ushort*)(address + 2) = BinaryPrimitives.ReverseEndianness(protocol);
                *(int*)(address + 4) = ifindex;
                if (Posix.bind(socket.Fd, address, 20) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new PdException(errno is Posix.Enodev or Posix.Enxio ? PdStatus.DeviceRemoved : PdStatus.NotSupported,
                        $"Binding an AF_PACKET socket to {device} failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return socket;
        }
        catch
        {
            if (fd >= 0)
                Posix.close(fd);
            throw;
        }
    }

    private static void Set(int fd, int option, int value, string name)
    {
        if (Posix.setsockopt(fd, PacketSys.SolPacket, option, &value, sizeof(int)) != 0)
            throw new PdException(PdStatus.NotSupported, $"Setting {name} on an AF_PACKET socket failed: {Posix.LastError()}.");
    }
}
