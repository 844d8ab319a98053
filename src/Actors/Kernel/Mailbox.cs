using System.Collections.Concurrent;

namespace PdCluster.Actors.Kernel;

/// <summary>
/// An actor's two queues: system messages first, then user messages in batches of the dispatcher's throughput.
/// At most one thread runs a mailbox at a time; a closed mailbox turns user messages into dead letters.
/// </summary>
internal sealed class Mailbox(ActorCell cell, IDispatcher dispatcher, int throughput) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<SystemMessage> _system = new();
    private readonly ConcurrentQueue<Envelope> _user = new();
    private int _scheduled;
    private volatile bool _closed;

    public IDispatcher Dispatcher => dispatcher;

    public bool IsClosed => _closed;

    public bool HasUserMessages => !_user.IsEmpty;

    public void Post(Envelope envelope)
    {
        if (_closed)
        {
            // A dead letter to a dead subscriber is dropped, or it would come straight back.
            if (envelope.Message is not DeadLetter)
                cell.System.DeadLetters.Tell(new DeadLetter(envelope.Message, envelope.Sender, cell.Self));
            return;
        }
        _user.Enqueue(envelope);
        Schedule();
    }

    public void PostSystem(SystemMessage message)
    {
        if (_closed)
        {
            cell.OnSystemMessageAfterClose(message);
            return;
        }
        _system.Enqueue(message);
        Schedule();
    }

    /// <summary>Stops taking messages; what is still queued goes to dead letters.</summary>
    public void Close()
    {
        _closed = true;
        while (_user.TryDequeue(out var e))
        {
            if (e.Message is not (DeadLetter or WatchedTerminated))
                cell.System.DeadLetters.Tell(new DeadLetter(e.Message, e.Sender, cell.Self));
        }
        while (_system.TryDequeue(out var m))
            cell.OnSystemMessageAfterClose(m);
    }

    public void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            dispatcher.Schedule(this);
    }

    /// <summary>Runs system messages, then up to <paramref name="limit"/> user messages; returns user messages run.</summary>
    public int Run(int limit)
    {
        RunSystem();
        var n = 0;
        while (n < limit && !_closed && !cell.IsSuspended && _user.TryDequeue(out var envelope))
        {
            cell.Invoke(envelope);
            n++;
            RunSystem();
        }
        return n;
    }

    /// <summary>Whether there is work a run would do now.</summary>
    public bool HasWork => !_system.IsEmpty || (!_closed && !cell.IsSuspended && !_user.IsEmpty);

    public void Execute()
    {
        Run(throughput);
        Volatile.Write(ref _scheduled, 0);
        if (HasWork)
            Schedule();
    }

    /// <summary>Marks a pinned mailbox as running on its own thread, so posts only wake it.</summary>
    public void Unschedule() => Volatile.Write(ref _scheduled, 0);

    private void RunSystem()
    {
        while (_system.TryDequeue(out var message))
            cell.SystemInvoke(message);
    }
}
