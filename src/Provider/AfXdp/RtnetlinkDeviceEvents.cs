using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PdCluster.Nic.Adapters;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// An AF_XDP adapter's device events from the kernel: a NETLINK_ROUTE socket subscribed to RTMGRP_LINK (opened inside
/// the adapter's network namespace when it has one) whose RTM_NEWLINK/RTM_DELLINK messages about the interface become
/// events through an <see cref="InterfaceLinkTracker"/>. One thread reads the socket and raises the events; a full link
/// dump sets the state at start and again after the socket overran (ENOBUFS) or a datagram was malformed, so no change
/// is missed for good; the backlog queued ahead of the dump's entry is older than it and is not replayed. A socket error other than an overrun ends the thread (the state stays the last known). The
/// kernel has no per-interface power event, so low power and full power come only by <see cref="Inject"/> (which passes
/// any other event through too, as the device's own, leaving the kernel's link, admin and presence state as they are).
/// </summary>
public sealed unsafe class RtnetlinkDeviceEvents : IDeviceEventSource, IDeviceEventInjector, IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int ReceiveBuffer = 4 * 1024 * 1024;
    private const ushort RtmGetLink = 18;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private readonly Lock _lock = new();
    private readonly List<Action<DeviceEvent>> _handlers = [];
    private readonly InterfaceLinkTracker _tracker;
    private readonly string _interface;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly List<LinkMessage> _messages = [];
    private readonly List<DeviceEvent> _events = [];
    private readonly int _socket;
    private readonly int _stop;
    private readonly Thread? _thread;
    private uint _sequence;
    private uint _dumping;
    private bool _listed;
    private bool _skippedNamed;
    private bool _resyncAgain;
    private int _disposed;
    private bool _lowPower;

    /// <summary>Opens the listener on <paramref name="interfaceName"/> (inside <paramref name="networkNamespace"/> if given) and reads its state.</summary>
    public RtnetlinkDeviceEvents(string interfaceName, NetworkNamespace? networkNamespace = null)
    {
        _interface = interfaceName;
        _tracker = new InterfaceLinkTracker(interfaceName);
        _socket = networkNamespace is null ? OpenSocket() : networkNamespace.Run(OpenSocket);
        _stop = Posix.eventfd(0, Posix.EfdCloexec);
        try
        {
            if (_stop < 0)
                throw new PdException(PdStatus.InsufficientResources, $"eventfd for the rtnetlink listener failed: {Posix.LastError()}.");
            RequestDump();
            while (_dumping != 0)
                ReadOnce(blocking: true);
            _events.Clear();
            _thread = new Thread(Run) { IsBackground = true, Name = $"rtnetlink {interfaceName}" };
            _thread.Start();
        }
        catch
        {
            CloseDescriptors();
            throw;
        }
    }

    /// <inheritdoc/>
    public DeviceState Current
    {
        get
        {
            lock (_lock)
                return _tracker.State with { FullPower = !_lowPower };
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(Action<DeviceEvent> handler)
    {
        lock (_lock)
            _handlers.Add(handler);
        return new Subscription(this, handler);
    }

    /// <inheritdoc/>
    public void Inject(DeviceEvent deviceEvent)
    {
        lock (_lock)
        {
            if (deviceEvent is DeviceEvent.LowPower or DeviceEvent.FullPower)
                _lowPower = deviceEvent == DeviceEvent.LowPower;
            foreach (var handler in _handlers)
                handler(deviceEvent);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        var one = 1UL;
        Posix.write(_stop, &one, sizeof(ulong));
        _thread?.Join();
        CloseDescriptors();
    }

    private static int OpenSocket()
    {
        var fd = Posix.socket(Posix.AfNetlink, Posix.SockRawCloexec, Posix.NetlinkRoute);
        if (fd < 0)
            throw new PdException(PdStatus.InsufficientResources, $"Opening an rtnetlink socket failed: {Posix.LastError()}.");
        var size = ReceiveBuffer;
        if (Posix.setsockopt(fd, Posix.SolSocket, Posix.SoRcvBufForce, &size, sizeof(int)) != 0)
            Posix.setsockopt(fd, Posix.SolSocket, Posix.SoRcvBuf, &size, sizeof(int));
        var address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(address, 2), Posix.AfNetlink);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(address + 8, 4), Posix.RtmgrpLink);
        if (Posix.bind(fd, address, 12) != 0)
        {
            var error = Posix.LastError();
            Posix.close(fd);
            throw new PdException(PdStatus.InsufficientResources, $"Subscribing to rtnetlink link events failed: {error}.");
        }
        return fd;
    }

    private void Run()
    {
        var fds = stackalloc Posix.PollFd[2];
        fds[0] = new Posix.PollFd { Fd = _socket, Events = Posix.PollIn };
        fds[1] = new Posix.PollFd { Fd = _stop, Events = Posix.PollIn };
        while (true)
        {
            if (Posix.poll(fds, 2, -1) < 0)
                continue;
            if (fds[1].Revents != 0)
                return;
            if (fds[0].Revents == 0)
                continue;
            try
            {
                ReadOnce(blocking: false);
            }
            catch (PdException)
            {
                return;
            }
        }
    }

    /// <summary>Reads one datagram, applies its messages and raises the events they mean; a malformed one asks for a dump, as an overrun does.</summary>
    private void ReadOnce(bool blocking)
    {
        nint read;
        fixed (byte* buffer = _buffer)
            read = Posix.recv(_socket, buffer, BufferSize, blocking ? 0 : Posix.MsgDontWait);
        if (read < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.Enobufs)
                Resync();
            else if (errno != Posix.Eagain && errno != Posix.Eintr)
                throw new PdException(PdStatus.InsufficientResources, $"Reading rtnetlink on {_interface} failed: {Posix.LastError()}.");
            return;
        }
        _messages.Clear();
        var whole = RtnetlinkParser.Parse(_buffer.AsSpan(0, (int)read), _messages);
        lock (_lock)
        {
            foreach (var message in _messages)
                Apply(message);
            foreach (var e in _events)
                foreach (var handler in _handlers)
                    handler(e);
            _events.Clear();
        }
        if (!whole)
            Resync();
    }

    private void Apply(in LinkMessage message)
    {
        var ofDump = _dumping != 0 && message.Sequence == _dumping;
        if (ofDump && message.Kind == NetlinkKind.NewLink && message.Name == _interface)
            _listed = true;
        if (ofDump && message.Kind is NetlinkKind.Done or NetlinkKind.Error)
        {
            _dumping = 0;
            if (message.Kind == NetlinkKind.Done)
                _tracker.DumpEnded(_listed, _events);
            if (_resyncAgain || message.Kind == NetlinkKind.Error || (_skippedNamed && !_listed))
                Resync();
            return;
        }
        // A notification read before the dump's entry for the interface was queued before it, so it is older than what
        // that entry says: replaying an overrun's backlog would only raise stale flaps. One naming the interface while
        // the dump does not list it may be newer (an arrival during the dump): another dump tells.
        if (_dumping != 0 && !ofDump && !_listed)
        {
            _skippedNamed |= message.Name == _interface;
            return;
        }
        _tracker.Apply(message, _events);
    }

    /// <summary>Events were lost: asks for a full dump, or for another one after the dump under way ends.</summary>
    private void Resync()
    {
        if (_dumping != 0)
        {
            _resyncAgain = true;
            return;
        }
        RequestDump();
    }

    private void RequestDump()
    {
        _resyncAgain = false;
        _listed = false;
        _skippedNamed = false;
        _dumping = ++_sequence == 0 ? ++_sequence : _sequence;
        var request = stackalloc byte[32];
        var span = new Span<byte>(request, 32);
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, 32);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], RtmGetLink);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], _dumping);
        if (Posix.send(_socket, request, 32, 0) != 32)
            throw new PdException(PdStatus.InsufficientResources, $"Requesting the link dump for {_interface} failed: {Posix.LastError()}.");
    }

    private void CloseDescriptors()
    {
        Posix.close(_socket);
        if (_stop >= 0)
            Posix.close(_stop);
    }

    private void Unsubscribe(Action<DeviceEvent> handler)
    {
        lock (_lock)
            _handlers.Remove(handler);
    }

    private sealed class Subscription(RtnetlinkDeviceEvents source, Action<DeviceEvent> handler) : IDisposable
    {
        public void Dispose() => source.Unsubscribe(handler);
    }
}
