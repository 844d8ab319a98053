using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The failover benchmark's traffic: the lab's generator sends a UDP datagram to one address about every millisecond
/// through its kernel (so its neighbour entry decides which host gets it), and a receiver in each host records when
/// its kernel received each datagram (the socket's receive timestamp, so a receiving thread the loaded machine runs
/// late does not move it). Every time is in milliseconds since the probe started, on the system clock the kernel
/// stamps with. Disposing stops both and closes the sockets.
/// </summary>
internal sealed partial class DeliveryProbe : IDisposable
{
    /// <summary>The UDP port the generator sends to and the receivers listen on.</summary>
    public const int Port = 9099;

    // SOL_SOCKET, SO_NO_CHECK: the generator sends UDP with no checksum. A veth leaves the checksum to an offload that a
    // frame loses on its way through AF_XDP, so the receiving kernel would drop what the node hands back to it otherwise.
    private const int SolSocket = 1;
    private const int SoNoCheck = 11;

    // SO_TIMESTAMP has the kernel stamp every datagram it receives; SIOCGSTAMP reads the last one's stamp.
    private const int SoTimestamp = 29;
    private const nuint SiocGStamp = 0x8906;

    // Receivers append in the order their threads run, which a stalled thread can put up to its stall behind another's.
    private const double ReorderMargin = 5_000;

    private readonly long _start = DateTime.UtcNow.Ticks;
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
            s.SetRawSocketOption(SolSocket, SoTimestamp, BitConverter.GetBytes(1));
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
    public double Now => Milliseconds(DateTime.UtcNow.Ticks);

    /// <summary>Where the generator sends.</summary>
    public IPEndPoint Target => _target;

    /// <summary>Sends to <paramref name="target"/> from now on.</summary>
    public void Aim(IPAddress target) => _target = new IPEndPoint(target, Port);

    /// <summary>The deliveries stamped at or after <paramref name="from"/>: which host (its index) and when.</summary>
    public List<(int Host, double At)> Deliveries(double from)
    {
        lock (_deliveries)
        {
            var first = FirstAtOrAfter(_deliveries.Count, i => _deliveries[i].At, from - ReorderMargin);
            return [.. _deliveries.Skip(first).Where(d => d.At >= from)];
        }
    }

    /// <summary>The generator's longest pause between two sends from <paramref name="from"/> to <paramref name="to"/>: a gap the receivers see that the sender made.</summary>
    public double LongestSendPause(double from, double to)
    {
        lock (_sent)
        {
            var first = FirstAtOrAfter(_sent.Count, i => _sent[i], from);
            return DeliveryGap.LongestBetween(_sent.Skip(first), from, to);
        }
    }

    /// <summary>The index of the first of <paramref name="count"/> stamps in time order at or after <paramref name="from"/> (binary search).</summary>
    private static int FirstAtOrAfter(int count, Func<int, double> stamp, double from)
    {
        var (low, high) = (0, count);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (stamp(middle) < from)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
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
            // Stamped under the lock, so the list stays in time order.
            lock (_sent)
                _sent.Add(Now);
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
            var at = ioctl(socket.Handle, SiocGStamp, out var stamp) == 0
                ? Milliseconds(DateTime.UnixEpoch.Ticks + stamp.Seconds * TimeSpan.TicksPerSecond + stamp.Microseconds * TimeSpan.TicksPerMicrosecond)
                : Now;
            lock (_deliveries)
                _deliveries.Add((host, at));
        }
    }

    private double Milliseconds(long utcTicks) => (utcTicks - _start) / (double)TimeSpan.TicksPerMillisecond;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(nint fd, nuint request, out Timeval stamp);

    /// <summary>struct timeval on 64-bit Linux.</summary>
    private struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    private static Socket InNamespace(string path, Func<Socket> open)
    {
        using var ns = new NetworkNamespace(path);
        return ns.Run(open);
    }
}
