using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace PdCluster.Bench.Veth;

/// <summary>
/// The normal path in batches: a .NET <see cref="Socket"/> read with Linux's <c>recvmmsg</c>, up to
/// <see cref="Batch"/> datagrams per call, on a thread of its own.
/// </summary>
internal sealed unsafe partial class RecvMmsgVethReceiver : IVethReceiver
{
    public const int Batch = 64;
    private const int BufferSize = 2048;
    private readonly Socket _socket;
    private readonly Thread _thread;
    private volatile bool _running = true;
    private long _delivered;

    public RecvMmsgVethReceiver(IPAddress address, int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, ReceiveTimeout = 200 };
        _socket.Bind(new IPEndPoint(address, port));
        _thread = new Thread(Receive) { Name = "recvmmsg receiver" };
        _thread.Start();
    }

    public long Delivered => Volatile.Read(ref _delivered);

    private void Receive()
    {
        var buffers = (byte*)NativeMemory.Alloc(Batch * BufferSize);
        var vectors = (IoVector*)NativeMemory.AllocZeroed((nuint)(Batch * sizeof(IoVector)));
        var messages = (MultiMessageHeader*)NativeMemory.AllocZeroed((nuint)(Batch * sizeof(MultiMessageHeader)));
        for (var i = 0; i < Batch; i++)
        {
            vectors[i] = new IoVector { Base = buffers + i * BufferSize, Length = BufferSize };
            messages[i].Header.Vectors = &vectors[i];
            messages[i].Header.VectorCount = 1;
        }
        var fd = (int)_socket.Handle;
        var timeout = new TimeSpec { Seconds = 0, Nanoseconds = 200_000_000 };
        try
        {
            while (_running)
            {
                // MSG_WAITFORONE: block for the first datagram only, then take what is queued.
                var n = RecvMmsg(fd, messages, Batch, MsgWaitForOne, &timeout);
                if (n > 0)
                    Volatile.Write(ref _delivered, _delivered + n);
            }
        }
        finally
        {
            NativeMemory.Free(messages);
            NativeMemory.Free(vectors);
            NativeMemory.Free(buffers);
        }
    }

    public void Dispose()
    {
        _running = false;
        _thread.Join();
        _socket.Dispose();
    }

    private const int MsgWaitForOne = 0x10000;

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMmsg(int fd, MultiMessageHeader* messages, uint count, int flags, TimeSpec* timeout);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MultiMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
