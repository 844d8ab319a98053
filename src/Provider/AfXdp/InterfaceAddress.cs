namespace PdCluster.Provider.AfXdp;

/// <summary>An interface's hardware address, asked of the kernel (SIOCGIFHWADDR) in the calling thread's network namespace.</summary>
internal static unsafe class InterfaceAddress
{
    private const nuint SiocGifHwAddr = 0x8927;

    /// <summary>The MAC of <paramref name="device"/>, or null when there is no such interface.</summary>
    public static ulong? Mac(string device)
    {
        if (device.Length is 0 or > 15)
            return null;
        var request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        System.Text.Encoding.ASCII.GetBytes(device, new Span<byte>(request, 15));
        var control = Posix.socket(2, 2, 0);
        try
        {
            if (Posix.ioctl(control, SiocGifHwAddr, request) != 0)
                return null;
        }
        finally
        {
            Posix.close(control);
        }
        ulong mac = 0;
        for (var i = 0; i < 6; i++)
            mac = (mac << 8) | request[18 + i];
        return mac;
    }
}
