using PdCluster.Actors.Kernel;
using PdCluster.Concurrency;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class DeathWatchTests : TestKitBase
{
    private IActorRef NewWatcher()
    {
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));
        return watcher;
    }

    [Fact]
    public void Watching_an_actor_that_is_already_dead_delivers_terminated()
    {
        var dead = Sys.ActorOf(Props.Create(() => new Counter()), "dead");
        Watch(dead);
        Sys.Stop(dead);
        ExpectTerminated(dead);

        var watcher = NewWatcher();
        watcher.Tell(("watch", dead), TestActor);
        ExpectMsg("watching");
        ExpectTerminated(dead);
    }

    [Fact]
    public void Unwatch_drops_a_terminated_not_yet_handled()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var watcher = NewWatcher();
        watcher.Tell(("watch", target), TestActor);
        ExpectMsg("watching");
        watcher.Tell(("unwatch", target), TestActor);
        ExpectMsg("unwatched");
        Sys.Stop(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Every_watcher_is_told_once()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var a = NewWatcher();
        var b = NewWatcher();
        a.Tell(("watch", target), TestActor);
        a.Tell(("watch", target), TestActor);
        b.Tell(("watch", target), TestActor);
        Probe.ReceiveN(3);
        Sys.Stop(target);
        Probe.ReceiveN(2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_unhandled_terminated_is_a_death_pact()
    {
        var target = Sys.ActorOf(Props.Create(() => new Counter()), "target");
        var pact = Sys.ActorOf(Props.Create(() => new PactKeeper()), "pact");
        Watch(pact);
        pact.Tell(target, TestActor);
        ExpectMsg("watching");
        var failure = ExpectFailure<DeathPactException>(() => Sys.Stop(target))[0];
        Assert.Equal(pact, failure.Actor);
        Assert.Equal(Directive.Stop, failure.Directive);
        ExpectTerminated(pact);
    }
}

/// <summary>Watches what it is sent and handles nothing else, so a Terminated is a death pact.</summary>
internal sealed class PactKeeper : ActorBase
{
    protected override void OnReceive(object message)
    {
        if (message is IActorRef target)
        {
            Context.Watch(target);
            Sender.Tell("watching");
            return;
        }
        Unhandled(message);
    }
}

public sealed class TimerTests : TestKitBase
{
    private sealed class TimerActor(IActorRef observer) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case ("single", string key, string payload, int ms):
                    Context.Timers.StartSingleTimer(key, payload, TimeSpan.FromMilliseconds(ms));
                    break;
                case ("periodic", string key, string payload, int ms):
                    Context.Timers.StartPeriodicTimer(key, payload, TimeSpan.FromMilliseconds(ms));
                    break;
                case ("cancel", string key):
                    Context.Timers.Cancel(key);
                    break;
                case ("active", string key):
                    Sender.Tell(Context.Timers.IsTimerActive(key));
                    break;
                case ("race-restart", ManualResetEventSlim queued):
                    // Start a timer, wait (inside this one message) until its message is queued, then reuse the key.
                    Context.Timers.StartSingleTimer("k", "old", TimeSpan.FromMilliseconds(20));
                    queued.Wait(TimeSpan.FromSeconds(10));
                    Context.Timers.StartSingleTimer("k", "new", TimeSpan.FromMilliseconds(50));
                    break;
                case ("race-cancel", ManualResetEventSlim queued):
                    Context.Timers.StartSingleTimer("k", "late", TimeSpan.FromMilliseconds(20));
                    queued.Wait(TimeSpan.FromSeconds(10));
                    Context.Timers.Cancel("k");
                    break;
                case string s:
                    observer.Tell(s);
                    break;
            }
        }
    }

    private IActorRef Timers() => Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));

    [Fact]
    public void Single_timer_fires_once()
    {
        var a = Timers();
        a.Tell(("single", "k", "tick", 50));
        ExpectMsg("tick");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        a.Tell(("active", "k"), TestActor);
        ExpectMsg(false);
    }

    /// <summary>Runs a race message and lets it go on once the old timer's message is seen waiting in the mailbox.</summary>
    private (IActorRef Actor, TestProbe Failures) RaceWithQueuedTimer(string race)
    {
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(ActorFailed));
        var a = Timers();
        // Not disposed: the actor may still be inside Wait when the test moves on.
        var queued = new ManualResetEventSlim();
        a.Tell((race, queued));
        var mailbox = ((LocalActorRef)a).Cell.Mailbox;
        AwaitCondition(() => mailbox.HasUserMessages, what: "the timer's message in the mailbox");
        queued.Set();
        return (a, failures);
    }

    [Fact]
    public void Reusing_a_key_cancels_the_old_timer_and_its_queued_message()
    {
        var (a, failures) = RaceWithQueuedTimer("race-restart");
        ExpectMsg("new");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        a.Tell(("active", "k"), TestActor);
        ExpectMsg(false);
        failures.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Cancel_drops_a_message_already_queued()
    {
        var (a, failures) = RaceWithQueuedTimer("race-cancel");
        // The actor never failed (a restart would also clear timers), the timer is gone, and its queued message never arrived.
        a.Tell(("active", "k"), TestActor);
        ExpectMsg(false);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        failures.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Periodic_timer_repeats_until_cancelled()
    {
        var a = Timers();
        a.Tell(("periodic", "p", "beat", 30));
        Probe.ReceiveN(3);
        a.Tell(("cancel", "p"));
        a.Tell(("active", "p"), TestActor);
        Probe.FishForMessage(m => m is false);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}

public sealed class AskAndEventStreamTests : TestKitBase
{
    private sealed class Replier : ActorBase
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "string":
                    Sender.Tell("a string");
                    break;
                case "number":
                    Sender.Tell(42);
                    break;
                case "fail":
                    Sender.Tell(new StatusFailure(new InvalidOperationException("refused")));
                    break;
                case ("late", IActorRef probe):
                    var sender = Sender;
                    Context.System.EventStream.Publish("scheduled late reply");
                    Task.Delay(300).ContinueWith(_ => sender.Tell("too late"));
                    break;
            }
        }
    }

    [Fact]
    public async Task Ask_returns_the_reply_of_the_type_asked_for()
    {
        var replier = Sys.ActorOf(Props.Create(() => new Replier()));
        Assert.Equal("a string", await replier.Ask<string>("string", TimeSpan.FromSeconds(3)));
        await Assert.ThrowsAsync<AskTypeMismatchException>(() => replier.Ask<string>("number", TimeSpan.FromSeconds(3)));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => replier.Ask<string>("fail", TimeSpan.FromSeconds(3)));
        Assert.Equal("refused", failure.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => replier.Ask<string>("string", TimeSpan.Zero));
    }

    [Fact]
    public async Task Ask_times_out_and_the_late_reply_is_a_dead_letter()
    {
        var replier = Sys.ActorOf(Props.Create(() => new Replier()));
        var listener = CreateTestProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(DeadLetter));
        await Assert.ThrowsAsync<AskTimeoutException>(() => replier.Ask<string>(("late", TestActor), TimeSpan.FromMilliseconds(50)));
        var letter = listener.ExpectMsg<DeadLetter>();
        Assert.Equal("too late", letter.Message);
    }

    [Fact]
    public void Event_stream_delivers_by_type_hierarchy()
    {
        var exceptions = CreateTestProbe();
        var strings = CreateTestProbe();
        Sys.EventStream.Subscribe(exceptions.Ref, typeof(Exception));
        Sys.EventStream.Subscribe(strings.Ref, typeof(string));
        Sys.EventStream.Publish(new IOException("disk"));
        Sys.EventStream.Publish("hello");
        Assert.IsType<IOException>(exceptions.ExpectMsg<Exception>());
        strings.ExpectMsg("hello");
        exceptions.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Sys.EventStream.Unsubscribe(strings.Ref);
        Sys.EventStream.Publish("again");
        strings.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}

public sealed class DispatcherAndShutdownTests : TestKitBase
{
    private sealed class ThreadReporter : ActorBase
    {
        protected override void OnReceive(object message) => Sender.Tell(Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void Pinned_actor_always_runs_on_its_own_thread()
    {
        var pinned = Sys.ActorOf(Props.Create(() => new ThreadReporter()).WithDispatcher(Props.PinnedDispatcher));
        var threads = Enumerable.Range(0, 20).Select(_ =>
        {
            pinned.Tell("which", TestActor);
            return ExpectMsg<int>();
        }).Distinct().ToList();
        Assert.Single(threads);
    }

    /// <summary>A polled actor that never finds work and idles by the given strategy; it answers with how often it parked.</summary>
    private sealed class Parker(WakeSignal wake, BackoffIdleStrategy idle) : ActorBase, IPolledActor
    {
        public IIdleStrategy IdleStrategy => idle;

        public WakeSignal WakeSignal => wake;

        public int Poll() => 0;

        protected override void OnReceive(object message) => Sender.Tell(idle.Parks);
    }

    [Fact]
    public void A_message_wakes_a_polled_actor_out_of_a_long_park()
    {
        // The actor's thread may still wait on the signal after the test: it is left open, as a queue actor leaves its own.
        var wake = new WakeSignal();
        var idle = new BackoffIdleStrategy(wake, 0, 0, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));
        var parker = Sys.ActorOf(Props.Create(() => new Parker(wake, idle)).WithDispatcher(Props.PinnedDispatcher));
        long parks = 0;
        for (var i = 0; i < 20; i++)
        {
            AwaitCondition(() => idle.Parks > parks);
            parker.Tell("control", TestActor);
            // A message that did not wake the thread would wait out the ten-minute park.
            parks = ExpectMsg<long>(timeout: TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void Default_dispatcher_batches_by_throughput()
    {
        var reporter = Sys.ActorOf(Props.Create(() => new ThreadReporter()));
        for (var i = 0; i < 100; i++)
            reporter.Tell(i, TestActor);
        Assert.Equal(100, Probe.ReceiveN(100).Count);
        Assert.Equal(30, Sys.Throughput);
    }

    [Fact]
    public async Task Shutdown_runs_phases_in_order_and_terminates_the_system()
    {
        var order = new List<string>();
        var shutdown = Sys.CoordinatedShutdown;
        shutdown.AddTask("cluster-leave", "leave", _ => { lock (order) order.Add("cluster-leave"); return Task.CompletedTask; });
        shutdown.AddTask("service-unbind", "unbind", async _ => { await Task.Delay(50); lock (order) order.Add("service-unbind"); });
        shutdown.AddTask("before-service-unbind", "first", _ => { lock (order) order.Add("before-service-unbind"); return Task.CompletedTask; });
        shutdown.AddTask("service-stop", "slow", ct => Task.Delay(Timeout.Infinite, ct));
        shutdown.SetPhaseTimeout("service-stop", TimeSpan.FromMilliseconds(100));
        Assert.Throws<ArgumentException>(() => shutdown.AddTask("no-such-phase", "x", _ => Task.CompletedTask));

        var run = shutdown.Run("test");
        Assert.Same(run, shutdown.Run("again"));
        await run.WaitAsync(TestTime.Dilated(TimeSpan.FromSeconds(10)));
        Assert.Equal(["before-service-unbind", "service-unbind", "cluster-leave"], order);
        Assert.Equal(["service-stop"], shutdown.TimedOutPhases);
        Assert.Equal("test", shutdown.Reason);
        Assert.True(Sys.WhenTerminated.IsCompleted);
    }
}
