using System.Net;
using System.Net.Sockets;

namespace PdCluster.Bench.Veth;

/// <summary>
/// The normal path: a .NET <see cref="Socket"/> bound to the device's address, one datagram per receive call, on a
/// thread of its own; reflect sends each datagram back to its source.
/// </summary>
internal sealed class SocketVethReceiver : IVethReceiver
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private volatile bool _running = true;
    private long _delivered;

    public SocketVethReceiver(IPAddress address, int port, bool reflect)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, ReceiveTimeout = 200 };
        _socket.Bind(new IPEndPoint(address, port));
        _thread = new Thread(reflect ? Reflect : Receive) { Name = "socket receiver" };
        _thread.Start();
    }

    public long Delivered => Volatile.Read(ref _delivered);

    private void Receive()
    {
        var buffer = new byte[2048];
        while (_running)
        {
            try
            {
                _socket.Receive(buffer);
                Volatile.Write(ref _delivered, _delivered + 1);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }
    }

    private void Reflect()
    {
        var buffer = new byte[2048];
        var source = new SocketAddress(AddressFamily.InterNetwork);
        while (_running)
        {
            try
            {
                var n = _socket.ReceiveFrom(buffer, SocketFlags.None, source);
                _socket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, source);
                Volatile.Write(ref _delivered, _delivered + 1);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }
    }

    public void Dispose()
    {
        _running = false;
        _thread.Join();
        _socket.Dispose();
    }
}
