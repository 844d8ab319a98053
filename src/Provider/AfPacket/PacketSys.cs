using System.Runtime.InteropServices;

namespace PdCluster.Provider.AfPacket;

/// <summary>The AF_PACKET constants and the libc calls the AF_PACKET provider adds to those it shares with AF_XDP.</summary>
internal static unsafe partial class PacketSys
{
    public const int AfPacket = 17;
    public const int SockRawCloexec = 3 | 0x80000;
    public const ushort EthPAll = 0x0003;
    public const int SolPacket = 263;
    public const int PacketRxRing = 5;
    public const int PacketStatistics = 6;
    public const int PacketVersion = 10;
    public const int PacketTxRing = 13;
    public const int PacketFanout = 18;
    public const int TpacketV2 = 1;
    public const int TpacketV3 = 2;
    public const int PacketFanoutHash = 0;
    public const int SoAttachFilter = 26;
    public const int ProtRead = 1, ProtWrite = 2;
    public const int MapShared = 1, MapLocked = 0x2000, MapPopulate = 0x8000;
    public const uint TpStatusKernel = 0, TpStatusUser = 1, TpStatusVlanValid = 0x10, TpStatusVlanTpidValid = 0x40;
    public const uint TpStatusAvailable = 0, TpStatusSendRequest = 1, TpStatusWrongFormat = 4;

    [LibraryImport("libc", SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvSuppressGCTransition)])]
    public static partial int getsockname(int fd, void* address, uint* length);

    /// <summary>The kernel's <c>struct tpacket_req3</c> (a TPACKET_V2 request is its first four fields).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketRequest
    {
        public uint BlockSize;
        public uint BlockCount;
        public uint FrameSize;
        public uint FrameCount;
        public uint RetireBlockTimeoutMs;
        public uint PrivateSize;
        public uint FeatureRequest;
    }

    /// <summary>The kernel's <c>struct sock_fprog</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;
        public SockFilter* Filter;
    }
}
