using System.Runtime.InteropServices;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>Sends whole Ethernet frames out of one interface through an AF_PACKET socket opened in its namespace.</summary>
public sealed partial class PacketSender : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _address = new byte[20];

    public PacketSender(NetworkNamespace ns, string device)
    {
        (_fd, var index) = ns.Run(() => (socket(17, 3, 0), if_nametoindex(device)));
        if (_fd < 0 || index == 0)
            throw new InvalidOperationException($"Cannot open an AF_PACKET socket on {device}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        BitConverter.TryWriteBytes(_address.AsSpan(0), (ushort)17);
        BitConverter.TryWriteBytes(_address.AsSpan(4), (int)index);
    }

    public void Send(byte[] frame)
    {
        if (sendto(_fd, frame, (nuint)frame.Length, 0, _address, (uint)_address.Length) != frame.Length)
            throw new InvalidOperationException($"AF_PACKET send failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
    }

    public void Dispose() => close(_fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte[] buffer, nuint length, int flags, byte[] address, uint addressLength);

    /// <summary>The index of interface <paramref name="name"/> in the calling thread's namespace (0: none).</summary>
    public static uint IfIndex(string name) => if_nametoindex(name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
