using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The failover benchmark's traffic: the lab's generator sends a UDP datagram to one address about every millisecond
/// through its kernel (so its neighbour entry decides which host gets it), and a receiver in each host stamps every
/// datagram its kernel delivers, on this process's monotonic clock. Disposing stops both and closes the sockets.
/// </summary>
internal sealed class DeliveryProbe : IDisposable
{
    /// <summary>The UDP port the generator sends to and the receivers listen on.</summary>
    public const int Port = 9099;

    // SOL_SOCKET, SO_NO_CHECK: the generator sends UDP with no checksum. A veth leaves the checksum to an offload that a
    // frame loses on its way through AF_XDP, so the receiving kernel would drop what the node hands back to it otherwise.
    private const int SolSocket = 1;
    private const int SoNoCheck = 11;

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Socket _sender;
    private readonly Socket[] _receivers;
    private readonly List<Thread> _threads = [];
    private readonly List<(int Host, double At)> _deliveries = new(1 << 20);
    private readonly List<double> _sent = new(1 << 20);
    private volatile IPEndPoint _target;
    private volatile bool _stopping;

    private DeliveryProbe(Socket sender, Socket[] receivers, IPAddress target)
    {
        _sender = sender;
        _receivers = receivers;
        _target = new IPEndPoint(target, Port);
    }

    /// <summary>Opens the generator's socket in <paramref name="generator"/> and a receiver in each of <paramref name="hosts"/> (namespace paths), and starts sending to <paramref name="target"/>.</summary>
    public static DeliveryProbe Start(string generator, IReadOnlyList<string> hosts, IPAddress target)
    {
        var sender = InNamespace(generator, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.SetRawSocketOption(SolSocket, SoNoCheck, BitConverter.GetBytes(1));
            return s;
        });
        var receivers = hosts.Select(h => InNamespace(h, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
            s.Bind(new IPEndPoint(IPAddress.Any, Port));
            return s;
        })).ToArray();
        var probe = new DeliveryProbe(sender, receivers, target);
        for (var i = 0; i < receivers.Length; i++)
        {
            var host = i;
            probe._threads.Add(new Thread(() => probe.Receive(host)) { IsBackground = true, Name = $"receiver {Path.GetFileName(hosts[host])}" });
        }
        probe._threads.Add(new Thread(probe.Send) { IsBackground = true, Name = "generator", Priority = ThreadPriority.AboveNormal });
        probe._threads.ForEach(t => t.Start());
        return probe;
    }

    /// <summary>Milliseconds since the probe started, the clock every stamp is on.</summary>
    public double Now => Stopwatch.GetElapsedTime(_start).TotalMilliseconds;

    /// <summary>Where the generator sends.</summary>
    public IPEndPoint Target => _target;

    /// <summary>Sends to <paramref name="target"/> from now on.</summary>
    public void Aim(IPAddress target) => _target = new IPEndPoint(target, Port);

    /// <summary>The deliveries stamped at or after <paramref name="from"/>: which host (its index) and when.</summary>
    public List<(int Host, double At)> Deliveries(double from)
    {
        lock (_deliveries)
            return _deliveries.Where(d => d.At >= from).ToList();
    }

    /// <summary>The generator's longest pause between two sends from <paramref name="from"/> to <paramref name="to"/>: a gap the receivers see that the sender made.</summary>
    public double LongestSendPause(double from, double to)
    {
        lock (_sent)
            return DeliveryGap.LongestBetween(_sent, from, to);
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var thread in _threads)
            thread.Join();
        _sender.Dispose();
        foreach (var receiver in _receivers)
            receiver.Dispose();
    }

    private void Send()
    {
        var datagram = new byte[32];
        for (long sequence = 0; !_stopping; sequence++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(datagram, sequence);
            try
            {
                _sender.SendTo(datagram, _target);
            }
            catch (SocketException)
            {
                // No route or no neighbour for a moment (an interface going): the gap shows it.
            }
            var at = Now;
            lock (_sent)
                _sent.Add(at);
            Thread.Sleep(1);
        }
    }

    private void Receive(int host)
    {
        var buffer = new byte[2048];
        var socket = _receivers[host];
        while (!_stopping)
        {
            try
            {
                socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            var at = Now;
            lock (_deliveries)
                _deliveries.Add((host, at));
        }
    }

    private static Socket InNamespace(string path, Func<Socket> open)
    {
        using var ns = new NetworkNamespace(path);
        return ns.Run(open);
    }
}
