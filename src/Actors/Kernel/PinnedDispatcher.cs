using PdCluster.Concurrency;

namespace PdCluster.Actors.Kernel;

/// <summary>
/// Gives each actor a thread of its own: a <see cref="DutyCycleRunner"/> whose cycle runs the mailbox and, for an
/// <see cref="IPolledActor"/>, its duty cycle with a few messages between cycles. A plain actor's thread sleeps until
/// a message comes; a polled actor's idles by the actor's own strategy, woken at once by a message.
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

    /// <summary>One pinned actor's cycle and idling, hosted by a runner; a failing poll is the actor's failure.</summary>
    private sealed class Worker : IDutyCycle, IIdleStrategy
    {
        private static readonly TimeSpan PlainWait = TimeSpan.FromSeconds(1);
        private readonly Mailbox _mailbox;
        private readonly ActorCell _cell;
        private readonly WakeSignal _plainWake = new();
        private readonly DutyCycleRunner _runner;

        public Worker(Mailbox mailbox, ActorCell cell, string roleName)
        {
            _mailbox = mailbox;
            _cell = cell;
            RoleName = roleName;
            _runner = new DutyCycleRunner(this, this, e => cell.HandleFailure(e, null));
        }

        public string RoleName { get; }

        public void Start() => _runner.Start();

        public void Wake()
        {
            _cell.Polled?.WakeSignal.Set();
            _plainWake.Set();
        }

        /// <summary>Ends the loop after its current cycle, waking it if it idles.</summary>
        public void Stop()
        {
            _runner.RequestClose();
            Wake();
        }

        public int DoWork()
        {
            _mailbox.Unschedule();
            var polled = _cell.Polled;
            if (polled is null)
            {
                var handled = _mailbox.Run(int.MaxValue);
                // Running the mailbox may create a polled actor (its Create message): then poll at once, don't sleep.
                return handled + (_cell.Polled is not null || _mailbox.HasWork ? 1 : 0);
            }
            var messages = _mailbox.Run(polled.MessagesPerCycle);
            // A restart in that batch replaced the instance: the old one has run PreRestart and is never polled again.
            if (_cell.Polled != polled)
                return messages + 1;
            var work = _cell.IsSuspended || _mailbox.IsClosed ? 0 : polled.Poll();
            return messages + work + (_mailbox.HasWork ? 1 : 0);
        }

        public void Idle(int workCount)
        {
            if (_cell.Polled is { } polled)
                polled.IdleStrategy.Idle(workCount);
            else if (workCount == 0)
                _plainWake.Wait(PlainWait);
        }

        public void Reset() => _cell.Polled?.IdleStrategy.Reset();

        public void OnClose() => _plainWake.Dispose();
    }
}
