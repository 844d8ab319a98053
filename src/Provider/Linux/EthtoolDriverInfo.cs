using System.Runtime.InteropServices;
using System.Text;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider.Linux;

/// <summary>What a Linux driver says about a port through the ethtool driver-info ioctl (SIOCETHTOOL, ETHTOOL_GDRVINFO).</summary>
/// <param name="BusInfo">The device's bus address as the driver gives it (<c>0000:03:00.0</c>); empty for virtual devices.</param>
public readonly record struct EthtoolDriverInfo(string Driver, string Version, string FirmwareVersion, string BusInfo)
{
    /// <summary>The size of <c>struct ethtool_drvinfo</c>: the command word, five 32-byte strings, 12 reserved bytes and five counts.</summary>
    public const int Size = 196;

    /// <summary>ETHTOOL_GDRVINFO.</summary>
    public const uint GetDriverInfo = 3;

    private const int StringLength = 32;
    private const nuint SiocEthtool = 0x8946;
    private const int Eopnotsupp = 95;

    /// <summary>
    /// Decodes a <c>struct ethtool_drvinfo</c> as the kernel filled it: each string ends at its first NUL, or at its
    /// 32nd byte when it has none. Throws <see cref="ArgumentException"/> when <paramref name="drvinfo"/> is shorter than <see cref="Size"/>.
    /// </summary>
    public static EthtoolDriverInfo Decode(ReadOnlySpan<byte> drvinfo)
    {
        if (drvinfo.Length < Size)
            throw new ArgumentException($"struct ethtool_drvinfo is {Size} bytes; got {drvinfo.Length}.", nameof(drvinfo));
        return new EthtoolDriverInfo(Field(drvinfo, 0), Field(drvinfo, 1), Field(drvinfo, 2), Field(drvinfo, 3));
    }

    /// <summary>Asks the driver of <paramref name="interfaceName"/> in the calling thread's network namespace; null when the driver has no ethtool driver info (loopback).</summary>
    internal static unsafe EthtoolDriverInfo? Query(string interfaceName)
    {
        var request = stackalloc byte[40];
        var drvinfo = stackalloc byte[Size];
        new Span<byte>(request, 40).Clear();
        new Span<byte>(drvinfo, Size).Clear();
        *(uint*)drvinfo = GetDriverInfo;
        Encoding.ASCII.GetBytes(interfaceName, new Span<byte>(request, 15));
        *(byte**)(request + 16) = drvinfo;
        var control = Posix.socket(2, 2 | 0x80000, 0);
        if (control < 0)
            throw new LinuxDiscoveryException($"cannot open a socket to ask the ethtool driver info of {interfaceName}: {Posix.LastError()}");
        try
        {
            if (Posix.ioctl(control, SiocEthtool, request) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == Eopnotsupp ? null
                    : throw new LinuxDiscoveryException($"the ethtool driver-info ioctl on {interfaceName} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        finally
        {
            Posix.close(control);
        }
        return Decode(new ReadOnlySpan<byte>(drvinfo, Size));
    }

    private static string Field(ReadOnlySpan<byte> drvinfo, int index)
    {
        var field = drvinfo.Slice(4 + index * StringLength, StringLength);
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
