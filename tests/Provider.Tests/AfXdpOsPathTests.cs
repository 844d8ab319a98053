using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// The OS path of provider afxdp on a real veth: with the interface's RSS acquired, every frame comes to PD, and what PD
/// hands back reaches the kernel as arrived on the interface, so the peer's ping and ARP get answers and the kernel's
/// sockets get their datagrams while PD keeps what it takes; without RSS acquired, unmatched traffic never leaves the
/// kernel; closing the provider leaves no TAP and no program behind.
/// </summary>
public sealed class AfXdpOsPathTests : IDisposable
{
    private const string DeviceAddress = "198.18.1.1";
    private const string PeerAddress = "198.18.0.1";
    private const ushort PdPort = 7000;
    private const ushort HostPort = 7001;
    private readonly AfXdpOnVeth _rig = new();
    private readonly string _tap;

    public AfXdpOsPathTests() => _tap = $"pdos{Veth.Device.Run(() => PacketSender.IfIndex(Veth.DeviceInterface))}";

    private VethPair Veth => _rig.Veth;

    [VethFact]
    public void With_rss_acquired_the_peer_pings_and_resolves_arp_through_the_os_path_while_pd_keeps_its_traffic()
    {
        Veth.ForgetNeighbours();
        using var pump = new ExceptionPump(_rig, _rig.Provider.AcquireReceiveQueues(_rig.ReceiveQueue, 1)[0]);
        using var host = Veth.Device.Run(() => Udp(HostPort));
        using var pd = Veth.Device.Run(() => Udp(PdPort));

        Veth.AssertDeviceAnswersPingAndArp();
        Assert.True(pump.Arp >= 3 && pump.Icmp >= 3, $"PD received every frame first: {pump.Arp} ARP, {pump.Icmp} ICMP");
        Assert.Contains(Mac(VethPair.DeviceMac), Neighbour(Veth.PeerNamespace, Veth.PeerInterface, DeviceAddress));
        Assert.Contains(Mac(VethPair.PeerMac), Neighbour(Veth.DeviceNamespace, Veth.DeviceInterface, PeerAddress));

        SendUdp(PdPort);
        SendUdp(HostPort);
        Assert.Equal(1, Receive(host));
        AwaitCondition(() => pump.Kept == 1, "PD keeps the datagram to its port");
        Assert.Equal(0, Receive(pd));
    }

    [VethFact]
    public void Without_rss_acquired_unmatched_traffic_never_leaves_the_kernel()
    {
        Veth.ForgetNeighbours();
        var queue = _rig.Provider.AllocateQueue(_rig.ReceiveQueue);
        var filter = _rig.Provider.SetReceiveFilter(new ReceiveFilterParameters([FieldMatchSyntax.Parse(MatchField.DestinationPort, $"{PdPort}")], queue, 0, 1));
        using var pump = new ExceptionPump(_rig, queue);
        using var host = Veth.Device.Run(() => Udp(HostPort));

        var ping = Veth.RunInPeer($"ping -c 3 -W 1 {DeviceAddress}");
        Assert.True(ping.Code == 0, $"ping on the kernel's own path: {ping.Output}{ping.Error}");
        SendUdp(HostPort);
        Assert.Equal(1, Receive(host));
        SendUdp(PdPort);
        AwaitCondition(() => pump.Kept == 1, "the filter's datagram comes to PD");
        Assert.Equal(0, pump.Arp + pump.Icmp);
        Assert.Equal(0, VethPair.ReceivedPackets(Veth.Device, _tap));
        pump.Dispose();
        _rig.Provider.ClearReceiveFilter(filter);
    }

    [VethFact]
    public void Closing_the_provider_removes_the_tap_and_its_program()
    {
        var ingress = VethPair.Run("tc", $"-n {Veth.DeviceNamespace} filter show dev {_tap} ingress").Output;
        Assert.Contains("pd_os_ingress", ingress);
        var program = System.Text.RegularExpressions.Regex.Match(ingress, @" id (\d+) ").Groups[1].Value;
        Assert.Equal(0, VethPair.Run("bpftool", $"prog show id {program}").Code);
        Assert.Contains(_tap, Links());
        Assert.DoesNotContain("inet", VethPair.Run("ip", $"-n {Veth.DeviceNamespace} addr show dev {_tap}").Output);

        _rig.Provider.Dispose();
        Assert.DoesNotContain(_tap, Links());
        AwaitCondition(() => VethPair.Run("bpftool", $"prog show id {program}").Code != 0, "the tc program is unloaded");
        Assert.DoesNotContain("xdp", VethPair.Run("ip", $"-n {Veth.DeviceNamespace} link show dev {Veth.DeviceInterface}").Output);
    }

    [VethFact]
    public void Without_the_tc_program_the_provider_is_refused_by_name_and_leaves_the_interface_as_it_found_it()
    {
        _rig.Provider.Dispose();
        var directory = Directory.CreateTempSubdirectory("pd-xdp-").FullName;
        try
        {
            var program = Path.Combine(directory, "pd_xdp.o");
            File.Copy(Path.Combine(AppContext.BaseDirectory, "pd_xdp.o"), program);
            var e = Assert.Throws<PdException>(() => new AfXdpProvider(AfXdpProviderContractTests.VethHarness.Adapter(Veth.DeviceInterface),
                new AfXdpAdapterOptions(Veth.DeviceInterface, ProgramPath: program), Veth.Device));
            Assert.Equal(PdStatus.NotSupported, e.Status);
            Assert.Contains(Path.Combine(directory, "pd_os_path.o") + " is missing", e.Message);
            Assert.DoesNotContain("xdp", VethPair.Run("ip", $"-n {Veth.DeviceNamespace} link show dev {Veth.DeviceInterface}").Output);
            Assert.DoesNotContain(_tap, Links());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public void Dispose() => _rig.Dispose();

    /// <summary>
    /// Sends one UDP datagram from the peer, built whole with its checksum: the peer's kernel would leave the checksum to
    /// veth's offload, which the frame loses on its way through AF_XDP, and the device's kernel would drop it.
    /// </summary>
    private void SendUdp(ushort port) =>
        _rig.Sender.Send(new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4(PeerAddress, DeviceAddress).Udp(40000, port).Payload(16).Build());

    private string Links() => VethPair.Run("ip", $"-n {Veth.DeviceNamespace} -o link show").Output;

    private static string Neighbour(string ns, string device, string address) => VethPair.Run("ip", $"-n {ns} neigh show {address} dev {device}").Output;

    private static string Mac(ulong mac) => string.Join(':', Enumerable.Range(0, 6).Select(i => ((byte)(mac >> (40 - 8 * i))).ToString("x2")));

    private static Socket Udp(ushort port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 3000 };
        socket.Bind(new IPEndPoint(IPAddress.Parse(DeviceAddress), port));
        return socket;
    }

    /// <summary>Receives datagrams until none comes for the socket's timeout; returns how many came.</summary>
    private static int Receive(Socket socket)
    {
        var buffer = new byte[2048];
        var got = 0;
        try
        {
            while (true)
            {
                socket.Receive(buffer);
                got++;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return got;
        }
    }

    private static void AwaitCondition(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting: {what}");
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Stands in for a queue's pipeline on its own thread: drains the receive queue, keeps UDP datagrams to
    /// <see cref="PdPort"/> (counted, then freed) and hands everything else back through the provider's OS path.
    /// Disposing stops it, flushes the queue and takes every buffer home.
    /// </summary>
    private sealed class ExceptionPump : IDisposable
    {
        private readonly IPdProvider _provider;
        private readonly BufferPool _pool;
        private readonly IPdQueue _queue;
        private readonly Thread _thread;
        private volatile bool _stop;
        private int _arp;
        private int _icmp;
        private int _kept;
        private bool _disposed;

        public ExceptionPump(AfXdpOnVeth rig, IPdQueue queue)
        {
            (_provider, _pool, _queue) = (rig.Provider, rig.Pool, rig.Posted(queue));
            _thread = new Thread(Run) { IsBackground = true, Name = "exception-pump" };
            _thread.Start();
        }

        public int Arp => Volatile.Read(ref _arp);

        public int Icmp => Volatile.Read(ref _icmp);

        public int Kept => Volatile.Read(ref _kept);

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _stop = true;
            _thread.Join();
            _queue.FlushQueue();
            var into = new int[64];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (_queue.Outstanding > 0 && DateTime.UtcNow < deadline)
                _pool.Return(into.AsSpan(0, _queue.PostAndDrain([], into).Drained));
            Assert.Equal(0, _queue.Outstanding);
        }

        private void Run()
        {
            var drained = new int[64];
            var handBack = new int[64];
            while (!_stop)
            {
                var n = _queue.PostAndDrain([], drained).Drained;
                if (n == 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                var back = 0;
                foreach (var handle in drained.AsSpan(0, n))
                {
                    if (Keeps(_pool.Packet(handle)))
                        Interlocked.Increment(ref _kept);
                    else
                        handBack[back++] = handle;
                }
                _provider.OsPath.Reinject(_pool, handBack.AsSpan(0, back));
                _queue.PostAndDrain(drained.AsSpan(0, n), []);
            }
        }

        /// <summary>Counts ARP and ICMP; true for a UDP datagram to <see cref="PdPort"/>.</summary>
        private bool Keeps(ReadOnlySpan<byte> frame)
        {
            var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
            if (etherType == 0x0806)
                Interlocked.Increment(ref _arp);
            if (etherType != 0x0800)
                return false;
            var protocol = frame[23];
            if (protocol == 1)
                Interlocked.Increment(ref _icmp);
            var ports = 14 + ((frame[14] & 0x0f) * 4);
            return protocol == 17 && BinaryPrimitives.ReadUInt16BigEndian(frame[(ports + 2)..]) == PdPort;
        }
    }
}
