using PdCluster.Queues.Buffers;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The OS path of an AF_XDP adapter, as DPDK's exception path: packets handed back are written to a TAP interface of
/// the adapter's, whose ingress program moves them onto the PD interface's own receive path, so the kernel takes them
/// as arrived on that interface and answers (ARP, ICMP, its sockets' traffic) out of it.
/// </summary>
internal sealed unsafe class TapOsPath : IPdOsPath, IDisposable
{
    private const int TapNoPacketInfo = 0x0002 | 0x1000;
    private const nuint TunSetIff = 0x400454ca;
    private const nuint SiocGifFlags = 0x8913;
    private const nuint SiocSifFlags = 0x8914;
    private const short InterfaceUp = 1;
    private readonly int _fd;
    private readonly IngressRedirect _redirect;

    /// <summary>
    /// Creates TAP interface <paramref name="name"/>, sets it up and attaches <paramref name="programPath"/> (pd_os_path.o)
    /// at its ingress, redirecting to interface <paramref name="interfaceIndex"/>; call inside the adapter's network namespace.
    /// </summary>
    public TapOsPath(string name, int interfaceIndex, string programPath)
    {
        Name = name;
        _fd = Posix.open("/dev/net/tun", 2 | 0x80000);
        if (_fd < 0)
            throw new PdException(PdStatus.NotSupported, $"The OS path needs /dev/net/tun: {Posix.LastError()}.");
        try
        {
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            System.Text.Encoding.ASCII.GetBytes(name, new Span<byte>(request, 15));
            *(short*)(request + 16) = TapNoPacketInfo;
            if (Posix.ioctl(_fd, TunSetIff, request) != 0)
                throw Failed("TUNSETIFF");
            DisableIpv6(name);
            SetUp(request);
            _redirect = new IngressRedirect(programPath, (int)Posix.if_nametoindex(name), interfaceIndex);
        }
        catch
        {
            Posix.close(_fd);
            throw;
        }
    }

    /// <summary>The TAP interface's name.</summary>
    public string Name { get; }

    public void Reinject(BufferPool pool, ReadOnlySpan<int> handles)
    {
        foreach (var handle in handles)
        {
            var packet = pool.Packet(handle);
            fixed (byte* p = packet)
                Posix.write(_fd, p, (nuint)packet.Length);
        }
    }

    /// <summary>Removes the program, then the TAP (it goes with its last descriptor).</summary>
    public void Dispose()
    {
        _redirect.Dispose();
        Posix.close(_fd);
    }

    /// <summary>Keeps the TAP out of IPv6 (no link-local address, routes or neighbour discovery of its own) where the kernel has IPv6.</summary>
    private static void DisableIpv6(string name)
    {
        var setting = $"/proc/sys/net/ipv6/conf/{name}/disable_ipv6";
        if (File.Exists(setting))
            File.WriteAllText(setting, "1");
    }

    private void SetUp(byte* request)
    {
        var control = Posix.socket(2, 2, 0);
        try
        {
            if (Posix.ioctl(control, SiocGifFlags, request) != 0)
                throw Failed("SIOCGIFFLAGS");
            *(short*)(request + 16) |= InterfaceUp;
            if (Posix.ioctl(control, SiocSifFlags, request) != 0)
                throw Failed("SIOCSIFFLAGS");
        }
        finally
        {
            Posix.close(control);
        }
    }

    private PdException Failed(string call) => new(PdStatus.NotSupported, $"Creating the OS-path TAP {Name} failed ({call}): {Posix.LastError()}.");
}
