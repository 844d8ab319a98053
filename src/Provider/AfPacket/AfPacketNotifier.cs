using System.Collections.Concurrent;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// PD's drain notification for AF_PACKET: one thread per provider sleeps in epoll on the armed queues' sockets
/// (one-shot: readable when the kernel retired a receive block, writable when a transmitted frame came back) and
/// tells the queue, which sets its armed signal.
/// </summary>
internal sealed unsafe class AfPacketNotifier : IDisposable
{
    private readonly int _epoll;
    private readonly int _stop;
    private readonly ConcurrentDictionary<int, Action> _targets = new();
    private readonly HashSet<int> _registered = [];
    private readonly Thread _thread;
    private volatile bool _disposed;

    public AfPacketNotifier(string adapter)
    {
        _epoll = Posix.epoll_create1(Posix.EfdCloexec);
        _stop = Posix.eventfd(0, Posix.EfdCloexec | 0x800);
        if (_epoll < 0 || _stop < 0)
            throw new PdException(PdStatus.InsufficientResources, $"epoll/eventfd for drain notification failed: {Posix.LastError()}.");
        var ev = new Posix.EpollEvent { Events = Posix.EpollIn, Data = ulong.MaxValue };
        Posix.epoll_ctl(_epoll, Posix.EpollCtlAdd, _stop, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = $"afpacket notify {adapter}" };
        _thread.Start();
    }

    /// <summary>Registers socket <paramref name="fd"/>: <paramref name="notify"/> runs when an armed readiness comes.</summary>
    public void Add(int fd, Action notify) => _targets[fd] = notify;

    /// <summary>Arms one-shot readiness (<paramref name="events"/>) of socket <paramref name="fd"/>.</summary>
    public void Arm(int fd, uint events)
    {
        var ev = new Posix.EpollEvent { Events = events | Posix.EpollOneShot, Data = (ulong)fd };
        lock (_registered)
        {
            var op = _registered.Add(fd) ? Posix.EpollCtlAdd : Posix.EpollCtlMod;
            Posix.epoll_ctl(_epoll, op, fd, &ev);
        }
    }

    /// <summary>Forgets socket <paramref name="fd"/> before it is closed.</summary>
    public void Remove(int fd)
    {
        _targets.TryRemove(fd, out _);
        lock (_registered)
        {
            if (_registered.Remove(fd))
                Posix.epoll_ctl(_epoll, Posix.EpollCtlDel, fd, null);
        }
    }

    private void Run()
    {
        var events = stackalloc Posix.EpollEvent[16];
        while (!_disposed)
        {
            var n = Posix.epoll_wait(_epoll, events, 16, -1);
            for (var i = 0; i < n; i++)
            {
                if (events[i].Data != ulong.MaxValue && _targets.TryGetValue((int)events[i].Data, out var notify))
                    notify();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        ulong one = 1;
        Posix.write(_stop, &one, 8);
        _thread.Join();
        Posix.close(_stop);
        Posix.close(_epoll);
    }
}
