using PdCluster.Queues.Buffers;

namespace PdCluster.Provider.AfXdp;

/// <summary>The OS path of an AF_XDP adapter: packets handed back re-enter the kernel stack through a TAP interface, as DPDK's exception path does.</summary>
internal sealed unsafe class TapOsPath : IPdOsPath, IDisposable
{
    private readonly int _fd;

    /// <summary>Creates TAP interface <paramref name="name"/> and sets it up; call inside the adapter's network namespace.</summary>
    public TapOsPath(string name)
    {
        Name = name;
        _fd = Posix.open("/dev/net/tun", 2 | 0x80000);
        if (_fd < 0)
            throw new PdException(PdStatus.NotSupported, $"The OS path needs /dev/net/tun: {Posix.LastError()}.");
        var request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        System.Text.Encoding.ASCII.GetBytes(name, new Span<byte>(request, 15));
        *(short*)(request + 16) = 0x0002 | 0x1000;
        if (Posix.ioctl(_fd, 0x400454ca, request) != 0)
            throw Failed("TUNSETIFF");
        var control = Posix.socket(2, 2, 0);
        try
        {
            if (Posix.ioctl(control, 0x8913, request) != 0)
                throw Failed("SIOCGIFFLAGS");
            *(short*)(request + 16) |= 1;
            if (Posix.ioctl(control, 0x8914, request) != 0)
                throw Failed("SIOCSIFFLAGS");
        }
        finally
        {
            Posix.close(control);
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

    public void Dispose() => Posix.close(_fd);

    private PdException Failed(string call)
    {
        var message = $"Creating the OS-path TAP {Name} failed ({call}): {Posix.LastError()}.";
        Posix.close(_fd);
        return new PdException(PdStatus.NotSupported, message);
    }
}
