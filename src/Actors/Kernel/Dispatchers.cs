using PdCluster.Queues.Idle;

namespace PdCluster.Actors.Kernel;

/// <summary>Runs mailboxes on threads.</summary>
internal interface IDispatcher
{
    /// <summary>Called once when a mailbox is created on this dispatcher.</summary>
    void Attach(Mailbox mailbox, ActorCell cell);

    /// <summary>Makes sure the mailbox runs soon.</summary>
    void Schedule(Mailbox mailbox);

    /// <summary>Called once when the actor terminated.</summary>
    void Detach(Mailbox mailbox);
}

/// <summary>The default dispatcher: mailboxes run as work items on the .NET thread pool.</summary>
internal sealed class ThreadPoolDispatcher : IDispatcher
{
    public static readonly ThreadPoolDispatcher Instance = new();

    public void Attach(Mailbox mailbox, ActorCell cell)
    {
    }

    public void Schedule(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);

    public void Detach(Mailbox mailbox)
    {
    }
}

/// <summary>
/// Something a pinned actor does on its own thread between message batches: a duty cycle that returns the work it
/// did, and how to idle when there was none. The idle strategy must return when <see cref="WakeSignal"/> is set.
/// </summary>
public interface IPolledActor
{
    /// <summary>One duty cycle; returns how much it did.</summary>
    int Poll();

    /// <summary>How the thread idles after a cycle with no work and no messages.</summary>
    IIdleStrategy IdleStrategy { get; }

    /// <summary>Set when a message arrives, so a sleeping thread wakes for it.</summary>
    DrainSignal WakeSignal { get; }

    /// <summary>Most messages handled between two duty cycles.</summary>
    int MessagesPerCycle => 4;
}

/// <summary>
/// Gives each actor a thread of its own. A plain actor's thread sleeps until a message comes; an
/// <see cref="IPolledActor"/>'s thread runs its duty cycle and handles a few messages between cycles.
/// </summary>
internal sealed class PinnedDispatcher(string name) : IDispatcher
{
    private readonly Dictionary<Mailbox, Worker> _workers = [];
    private readonly Lock _lock = new();

    public void Attach(Mailbox mailbox, ActorCell cell)
    {
        var worker = new Worker(mailbox, cell, $"{name}:{cell.Path}");
        lock (_lock)
            _workers.Add(mailbox, worker);
        worker.Start();
    }

    public void Schedule(Mailbox mailbox)
    {
        Worker? worker;
        lock (_lock)
            _workers.TryGetValue(mailbox, out worker);
        worker?.Wake();
    }

    public void Detach(Mailbox mailbox)
    {
        Worker? worker;
        lock (_lock)
        {
            if (_workers.Remove(mailbox, out worker))
                worker.Stop();
        }
    }

    private sealed class Worker(Mailbox mailbox, ActorCell cell, string name)
    {
        private readonly DrainSignal _plainWake = new();
        private volatile bool _stopping;
        private Thread? _running;

        public void Start()
        {
            _running = new Thread(Loop) { Name = name, IsBackground = true };
            _running.Start();
        }

        public void Wake()
        {
            cell.Polled?.WakeSignal.Set();
            _plainWake.Set();
        }

        public void Stop()
        {
            _stopping = true;
            Wake();
        }

        private void Loop()
        {
            while (!_stopping)
            {
                mailbox.Unschedule();
                var polled = cell.Polled;
                if (polled is null)
                {
                    // Running the mailbox may create a polled actor (its Create message): then poll at once, don't sleep.
                    if (mailbox.Run(int.MaxValue) == 0 && cell.Polled is null && !mailbox.HasWork)
                        _plainWake.Wait(TimeSpan.FromSeconds(1));
                    continue;
                }
                var messages = mailbox.Run(polled.MessagesPerCycle);
                // A restart in that batch replaced the instance: the old one has run PreRestart and is never polled again.
                if (cell.Polled != polled)
                    continue;
                var work = cell.IsSuspended || mailbox.IsClosed ? 0 : PollSafely(polled);
                if (messages + work == 0 && !mailbox.HasWork)
                    polled.IdleStrategy.Idle(0);
                else
                    polled.IdleStrategy.Reset();
            }
        }

        private int PollSafely(IPolledActor polled)
        {
            try
            {
                return polled.Poll();
            }
            catch (Exception e)
            {
                cell.HandleFailure(e, null);
                return 0;
            }
        }
    }
}
