using System.Net;
using System.Runtime.InteropServices;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// <see cref="IAddressAnnouncer"/> for a Linux interface: the <see cref="AddressAnnouncement"/> (a gratuitous ARP for
/// IPv4, an unsolicited Neighbor Advertisement for IPv6) sent from an AF_PACKET socket bound to the interface, in the
/// interface's network namespace, with the interface's own MAC address.
/// </summary>
public sealed unsafe class AfPacketAnnouncer(string device, NetworkNamespace? ns) : IAddressAnnouncer
{
    /// <inheritdoc/>
    public void Announce(IPAddress address) => Send(fd => AddressAnnouncement.Build(MacOf(fd), address), $"{address}");

    /// <inheritdoc/>
    public void Announce(ulong mac, IPAddress? address) =>
        Send(_ => address is null ? ReverseArp.Build(mac) : AddressAnnouncement.Build(mac, address), $"{address?.ToString() ?? "MAC"} at {Nic.Adapters.AdapterInfo.FormatMac(mac)}");

    /// <summary>Sends the frame <paramref name="frame"/> builds (given the bound socket) out of the interface; <paramref name="what"/> names it in an error.</summary>
    private void Send(Func<int, byte[]> frame, string what)
    {
        var fd = ns is null ? Open() : ns.Run(Open);
        try
        {
            var bytes = frame(fd);
            fixed (byte* start = bytes)
            {
                if (Posix.send(fd, start, (nuint)bytes.Length, 0) != bytes.Length)
                    throw new PdException(PdStatus.DeviceRemoved, $"Sending the announcement of {what} on {device} failed: {Posix.LastError()}.");
            }
        }
        finally
        {
            Posix.close(fd);
        }
    }

    /// <inheritdoc/>
    public ulong? LinkAddress() => ns is null ? InterfaceAddress.Mac(device) : ns.Run(() => InterfaceAddress.Mac(device));

    /// <summary>A raw packet socket bound to the interface (protocol 0: it receives nothing).</summary>
    private int Open()
    {
        var ifindex = (int)Posix.if_nametoindex(device);
        if (ifindex == 0)
            throw new PdException(PdStatus.DeviceRemoved, $"Cannot announce on {device}: {Posix.LastError()}.");
        var fd = Posix.socket(PacketSys.AfPacket, PacketSys.SockRawCloexec, 0);
        if (fd < 0)
            throw new PdException(PdStatus.NotSupported, $"Opening an AF_PACKET socket on {device} failed: {Posix.LastError()} (it needs CAP_NET_RAW).");
        var address = stackalloc byte[20];
        new Span<byte>(address, 20).Clear();
        *(ushort*)address = PacketSys.AfPacket;
        *(int*)(address + 4) = ifindex;
        if (Posix.bind(fd, address, 20) != 0)
        {
            var error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            Posix.close(fd);
            throw new PdException(PdStatus.DeviceRemoved, $"Binding an AF_PACKET socket to {device} failed: {error}.");
        }
        return fd;
    }

    /// <summary>The interface's MAC address, as the bound socket's <c>sockaddr_ll</c> reports it.</summary>
    private ulong MacOf(int fd)
    {
        var address = stackalloc byte[20];
        uint length = 20;
        if (PacketSys.getsockname(fd, address, &length) != 0 || address[11] != 6)
            throw new PdException(PdStatus.NotSupported, $"Cannot read the MAC address of {device}: {Posix.LastError()}.");
        ulong mac = 0;
        for (var i = 0; i < 6; i++)
            mac = (mac << 8) | address[12 + i];
        return mac;
    }
}
