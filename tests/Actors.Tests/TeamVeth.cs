using System.Net;
using System.Net.Sockets;
using PdCluster.Provider.AfXdp;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A node's two team interfaces and a peer host behind a switch: namespaces of their own (unique names), veth pairs
/// A and B from the device namespace (198.18.1.1 on A, 198.18.1.2 on B, <c>arp_ignore</c> 1 so each interface answers
/// ARP for its own address only) to ports of a bridge in the peer namespace, whose address is 198.18.0.1. Each port
/// has its member's MAC in the bridge's table and floods no unknown unicast. IPv6 is off.
/// Dispose removes both namespaces and so everything in them.
/// </summary>
internal sealed class TeamVeth : IDisposable
{
    public const ulong MacA = 0x02_00_00_00_00_0a;
    public const ulong MacB = 0x02_00_00_00_00_0b;

    /// <summary>The MAC of the NIC that replaces A in the tests that pull it.</summary>
    public const ulong MacReplacement = 0x02_00_00_00_00_0c;
    private static int _counter;

    public TeamVeth()
    {
        var tag = $"{Environment.ProcessId % 100000}x{Interlocked.Increment(ref _counter)}";
        DeviceNamespace = $"pdt-tdut-{tag}";
        PeerNamespace = $"pdt-tpeer-{tag}";
        InterfaceA = $"tda{tag}";
        InterfaceB = $"tdb{tag}";
        PortA = $"tpa{tag}";
        PortB = $"tpb{tag}";
        Bridge = $"tbr{tag}";
        try
        {
            VethPair.Ip($"netns add {DeviceNamespace}");
            VethPair.Ip($"netns add {PeerNamespace}");
            Sysctl(DeviceNamespace, "net/ipv4/conf/all/arp_ignore", 1);
            foreach (var ns in new[] { DeviceNamespace, PeerNamespace })
            {
                Sysctl(ns, "net/ipv6/conf/all/disable_ipv6", 1);
                Sysctl(ns, "net/ipv6/conf/default/disable_ipv6", 1);
            }
            // A MAC of its own: a bridge that takes its lowest port's changes it when that port goes, and the kernel then
            // flushes its neighbour table, which would race the survivor's announcement.
            VethPair.Ip($"-n {PeerNamespace} link add {Bridge} address {VethPair.Mac(VethPair.PeerMac)} type bridge");
            VethPair.Ip($"-n {PeerNamespace} addr add 198.18.0.1/15 dev {Bridge}");
            VethPair.Ip($"-n {PeerNamespace} link set {Bridge} up");
            VethPair.Ip($"-n {DeviceNamespace} link set lo up");
            AddLink(InterfaceA, PortA, MacA, "198.18.1.1");
            AddLink(InterfaceB, PortB, MacB, "198.18.1.2");
            Peer = new NetworkNamespace($"/run/netns/{PeerNamespace}");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string DeviceNamespace { get; }

    public string PeerNamespace { get; }

    public string InterfaceA { get; }

    public string InterfaceB { get; }

    public string Bridge { get; }

    /// <summary>A's peer: its port on the bridge, in the peer's namespace.</summary>
    public string PortA { get; }

    /// <summary>B's peer: its port on the bridge, in the peer's namespace.</summary>
    public string PortB { get; }

    /// <summary>A thread inside the peer's namespace.</summary>
    public NetworkNamespace Peer { get; } = null!;

    /// <summary>Pulls interface A (<c>ip link del</c>): its peer port leaves the bridge with it.</summary>
    public void DeleteA() => VethPair.Ip($"-n {DeviceNamespace} link del {InterfaceA}");

    /// <summary>Plugs interface A in again: same name and address, its peer port on the bridge, and <paramref name="mac"/> (a replaced NIC has a new one).</summary>
    public void AddA(ulong mac = MacA) => AddLink(InterfaceA, PortA, mac, "198.18.1.1");

    /// <summary>Pulls interface B (<c>ip link del</c>): its peer port leaves the bridge with it.</summary>
    public void DeleteB() => VethPair.Ip($"-n {DeviceNamespace} link del {InterfaceB}");

    /// <summary>
    /// Turns IPv6 on for the peer's bridge (the namespaces start without it) and waits until it is settled (its
    /// link-local address past duplicate address detection; before that the kernel discards what arrives).
    /// </summary>
    public void UseIpv6OnBridge()
    {
        Sysctl(PeerNamespace, $"net/ipv6/conf/{Bridge}/disable_ipv6", 0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string addresses;
        while (!(addresses = VethPair.Run("ip", $"-n {PeerNamespace} -6 addr show dev {Bridge} scope link").Output).Contains("fe80::") || addresses.Contains("tentative"))
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"IPv6 on {Bridge} did not settle: '{addresses.Trim()}'");
            Thread.Sleep(50);
        }
    }

    /// <summary>The MAC the peer's kernel sends <paramref name="address"/>'s traffic to now, as <c>ip neigh</c> shows it.</summary>
    public string Neighbour(string address) => VethPair.Run("ip", $"-n {PeerNamespace} neigh show {address} dev {Bridge}").Output.Trim();

    /// <summary>A UDP socket of the peer's kernel stack, bound to 198.18.0.1.</summary>
    public Socket PeerSocket() => Peer.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("198.18.0.1"), 0));
        return socket;
    });

    private void AddLink(string device, string port, ulong mac, string address)
    {
        VethPair.Ip($"link add {device} netns {DeviceNamespace} address {VethPair.Mac(mac)} type veth peer name {port} netns {PeerNamespace}");
        VethPair.Ip($"-n {DeviceNamespace} addr add {address}/15 dev {device}");
        VethPair.Ip($"-n {PeerNamespace} link set {port} master {Bridge}");
        // A switch that knows where each member is and floods no unknown unicast: frames for a pulled member's MAC
        // reach no one, so only the survivor's announcement brings the traffic back.
        BridgeCommand($"link set dev {port} flood off");
        BridgeCommand($"fdb replace {VethPair.Mac(mac)} dev {port} master static");
        VethPair.Ip($"-n {PeerNamespace} link set {port} up");
        VethPair.Ip($"-n {DeviceNamespace} link set {device} up");
    }

    private void BridgeCommand(string arguments)
    {
        var (code, _, error) = VethPair.Run("bridge", $"-n {PeerNamespace} {arguments}");
        if (code != 0)
            throw new InvalidOperationException($"bridge -n {PeerNamespace} {arguments} failed ({code}): {error.Trim()}");
    }

    private static void Sysctl(string ns, string key, int value)
    {
        var (code, _, error) = VethPair.Run("ip", $"netns exec {ns} sh -c \"echo {value} > /proc/sys/{key}\"");
        if (code != 0)
            throw new InvalidOperationException($"Setting {key} in {ns} failed ({code}): {error.Trim()}");
    }

    public void Dispose()
    {
        Peer?.Dispose();
        VethPair.Run("ip", $"netns del {DeviceNamespace}");
        VethPair.Run("ip", $"netns del {PeerNamespace}");
    }
}
