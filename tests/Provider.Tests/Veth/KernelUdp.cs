using System.Net;
using System.Net.Sockets;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>UDP sockets of the device end's kernel stack, to see what reached the OS's normal path.</summary>
public static class KernelUdp
{
    /// <summary>A UDP socket on the device address (198.18.1.1) and <paramref name="port"/>; open it inside the device's namespace.</summary>
    public static Socket Open(ushort port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(IPAddress.Parse("198.18.1.1"), port));
        return socket;
    }

    /// <summary>Receives <paramref name="count"/> datagrams (each waits up to the socket's timeout) and returns how many came.</summary>
    public static int Receive(Socket socket, int count)
    {
        var buffer = new byte[2048];
        var got = 0;
        try
        {
            while (got < count)
            {
                socket.Receive(buffer);
                got++;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
        }
        return got;
    }
}
