using System.Runtime.InteropServices;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>Every frame one interface receives (not those it sends), read through an AF_PACKET socket opened in its namespace from construction on.</summary>
public sealed partial class PacketCapture : IDisposable
{
    private const int PacketFamily = 17;
    private const int RawNonBlocking = 3 | 0x800;
    private const ushort AllProtocols = 0x0300; // ETH_P_ALL in network order
    private const byte Outgoing = 4; // sockaddr_ll.sll_pkttype PACKET_OUTGOING
    private readonly int _fd;
    private readonly byte[] _buffer = new byte[2048];
    private readonly byte[] _from = new byte[20];

    public PacketCapture(NetworkNamespace ns, string device)
    {
        (_fd, var index) = ns.Run(() => (socket(PacketFamily, RawNonBlocking, AllProtocols), PacketSender.IfIndex(device)));
        var address = new byte[20];
        BitConverter.TryWriteBytes(address.AsSpan(0), (ushort)PacketFamily);
        BitConverter.TryWriteBytes(address.AsSpan(2), AllProtocols);
        BitConverter.TryWriteBytes(address.AsSpan(4), (int)index);
        if (_fd < 0 || index == 0 || bind(_fd, address, (uint)address.Length) != 0)
        {
            var error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            Dispose();
            throw new InvalidOperationException($"Cannot capture on {device}: {error}.");
        }
    }

    /// <summary>Reads what arrived until a frame <paramref name="match"/> accepts (true), or <paramref name="timeout"/> passes (false).</summary>
    public bool Await(Func<ReadOnlySpan<byte>, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var fromLength = (uint)_from.Length;
            var length = (int)recvfrom(_fd, _buffer, (nuint)_buffer.Length, 0, _from, ref fromLength);
            if (length > 0 && _from[10] != Outgoing && match(_buffer.AsSpan(0, length)))
                return true;
            if (length <= 0)
            {
                if (DateTime.UtcNow > deadline)
                    return false;
                Thread.Sleep(10);
            }
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
            close(_fd);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, byte[] address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvfrom(int fd, byte[] buffer, nuint length, int flags, byte[] address, ref uint addressLength);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
