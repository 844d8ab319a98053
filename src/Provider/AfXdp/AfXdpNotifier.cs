using System.Collections.Concurrent;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// PD's drain notification on Linux: one thread per provider sleeps in epoll on the armed queues' AF_XDP sockets
/// (one-shot, so an unarmed queue costs nothing) and sets a queue's signal when its socket becomes readable.
/// </summary>
internal sealed unsafe class AfXdpNotifier : IDisposable
{
    private readonly int _epoll;
    private readonly int _stop;
    private readonly ConcurrentDictionary<int, AfXdpQueue> _queues = new();
    private readonly HashSet<int> _registered = [];
    private readonly Thread _thread;
    private volatile bool _disposed;

    public AfXdpNotifier(string adapter)
    {
        _epoll = Posix.epoll_create1(0x80000);
        _stop = Posix.eventfd(0, 0x80000 | 0x800);
        if (_epoll < 0 || _stop < 0)
            throw new PdException(PdStatus.InsufficientResources, $"epoll/eventfd for drain notification failed: {Posix.LastError()}.");
        var ev = new Posix.EpollEvent { Events = Posix.EpollIn, Data = ulong.MaxValue };
        Posix.epoll_ctl(_epoll, Posix.EpollCtlAdd, _stop, &ev);
        _thread = new Thread(Run) { IsBackground = true, Name = $"afxdp notify {adapter}" };
        _thread.Start();
    }

    public void Add(AfXdpQueue queue) => _queues[queue.Slot] = queue;

    public void Remove(AfXdpQueue queue)
    {
        _queues.TryRemove(queue.Slot, out _);
        lock (_registered)
        {
            if (_registered.Remove(queue.Fd))
                Posix.epoll_ctl(_epoll, Posix.EpollCtlDel, queue.Fd, null);
        }
    }

    /// <summary>Arms one-shot readiness of the queue's socket.</summary>
    public void Arm(AfXdpQueue queue)
    {
        var fd = queue.Fd;
        if (fd < 0)
            return;
        var ev = new Posix.EpollEvent { Events = Posix.EpollIn | Posix.EpollOneShot, Data = (ulong)queue.Slot };
        lock (_registered)
        {
            var op = _registered.Add(fd) ? Posix.EpollCtlAdd : Posix.EpollCtlMod;
            Posix.epoll_ctl(_epoll, op, fd, &ev);
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
                if (events[i].Data != ulong.MaxValue && _queues.TryGetValue((int)events[i].Data, out var q))
                    q.Notify();
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
