using System.Runtime.CompilerServices;
using PdCluster.Actors.Kernel;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class SupervisionTests : TestKitBase
{
    private IActorRef Child(SupervisorStrategy strategy, string name = "child", IActorRef? observer = null)
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(strategy)), "supervisor");
        supervisor.Tell((Props.Create(() => new Counter(observer)), name), TestActor);
        return ExpectMsg<IActorRef>();
    }

    private int Count(IActorRef counter)
    {
        counter.Tell("get", TestActor);
        return ExpectMsg<int>();
    }

    [Fact]
    public void Resume_keeps_state_and_drops_the_failing_message()
    {
        var child = Child(new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Resume));
        child.Tell("inc");
        child.Tell("inc");
        ExpectFailure<InvalidOperationException>(() => child.Tell(new InvalidOperationException("boom")));
        Assert.Equal(2, Count(child));
    }

    [Fact]
    public void Restart_gives_a_fresh_instance_and_runs_the_hooks_in_order()
    {
        var child = Child(new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Restart), observer: TestActor);
        ExpectMsg("prestart");
        child.Tell("inc");
        child.Tell(new ArgumentException("bad"));
        ExpectMsg("prerestart:ArgumentException");
        ExpectMsg("poststop");
        ExpectMsg("postrestart");
        ExpectMsg("prestart");
        Assert.Equal(0, Count(child));
    }

    [Fact]
    public void A_restarted_polled_actor_never_polls_its_old_instance()
    {
        var incarnations = new StrongBox<int>();
        ExpectFailure<InvalidOperationException>(() =>
            Sys.ActorOf(Props.Create(() => new FailingPoller(TestActor, incarnations)).WithDispatcher(Props.PinnedDispatcher), "poller"));
        ExpectMsg("prerestart:1");
        ExpectMsg("postrestart:2");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_late_death_notice_leaves_the_successor_of_the_same_name_supervised()
    {
        var supervisor = (LocalActorRef)Sys.ActorOf(Props.Create(() => new Supervisor(new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Restart))), "supervisor");
        supervisor.Tell((Props.Create(() => new Counter(null)), "child"), TestActor);
        var first = ExpectMsg<IActorRef>();
        Watch(first);
        first.Tell(PoisonPill.Instance);
        ExpectTerminated(first);
        AwaitCondition(() => supervisor.Cell.Children.Count == 0, what: "the supervisor to forget its stopped child");
        supervisor.Tell((Props.Create(() => new Counter(null)), "child"), TestActor);
        var second = ExpectMsg<IActorRef>();
        // A parent that watches its child hears of its death twice; the second notice can come after the name is reused.
        supervisor.SendSystem(new DeathWatchNotification(first));
        var failures = ExpectFailure<InvalidOperationException>(() => second.Tell(new InvalidOperationException("boom")));
        Assert.Equal(second, failures[0].Actor);
    }

    [Fact]
    public void Stop_stops_the_child()
    {
        var child = Child(new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Stop));
        Watch(child);
        child.Tell(new InvalidOperationException());
        ExpectTerminated(child);
    }

    [Fact]
    public void Escalate_lets_the_grandparent_decide()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Escalate))), "middle");
        supervisor.Tell((Props.Create(() => new Counter()), "leaf"), TestActor);
        var leaf = ExpectMsg<IActorRef>();
        leaf.Tell("inc");
        Watch(leaf);
        // The guardian restarts the middle supervisor, whose default PreRestart stops its children.
        var failures = ExpectFailure<TimeoutException>(() => leaf.Tell(new TimeoutException()), occurrences: 2);
        Assert.Equal(leaf, failures[0].Actor);
        Assert.Equal(Directive.Escalate, failures[0].Directive);
        Assert.Equal(supervisor, failures[1].Actor);
        Assert.Equal(Directive.Restart, failures[1].Directive);
        ExpectTerminated(leaf);
    }

    [Fact]
    public void All_for_one_restarts_every_child()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(new AllForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Restart))), "all");
        supervisor.Tell((Props.Create(() => new Counter()), "a"), TestActor);
        var a = ExpectMsg<IActorRef>();
        supervisor.Tell((Props.Create(() => new Counter()), "b"), TestActor);
        var b = ExpectMsg<IActorRef>();
        a.Tell("inc");
        b.Tell("inc");
        Assert.Equal(1, Count(b));
        a.Tell(new InvalidOperationException());
        AwaitAssert(() => Assert.Equal(0, Count(b)));
        Assert.Equal(0, Count(a));
    }

    [Fact]
    public void Too_many_restarts_within_the_window_stop_the_child()
    {
        var child = Child(new OneForOneStrategy(2, TimeSpan.FromSeconds(30)));
        Watch(child);
        child.Tell(new InvalidOperationException());
        child.Tell(new InvalidOperationException());
        Assert.Equal(0, Count(child));
        child.Tell(new InvalidOperationException());
        ExpectTerminated(child);
    }

    [Fact]
    public void Default_decider_stops_on_initialization_failure_and_kill()
    {
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorInitializationException(Nobody.Instance, "x", new Exception())));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorKilledException("x")));
        Assert.Equal(Directive.Restart, SupervisorStrategy.DefaultDecider(new IOException()));

        var failing = Sys.ActorOf(Props.Create(() => throw new InvalidOperationException("no")), "broken");
        Watch(failing);
        ExpectTerminated(failing);

        var killed = Sys.ActorOf(Props.Create(() => new Counter()), "killed");
        Watch(killed);
        ExpectFailure<ActorKilledException>(() => killed.Tell(Kill.Instance));
        ExpectTerminated(killed);
    }

    [Fact]
    public void Poison_pill_stops_after_the_messages_queued_before_it()
    {
        var counter = Sys.ActorOf(Props.Create(() => new Counter()), "counter");
        Watch(counter);
        counter.Tell("inc");
        counter.Tell("get", TestActor);
        counter.Tell(PoisonPill.Instance);
        counter.Tell("get", TestActor);
        ExpectMsg(1);
        ExpectTerminated(counter);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private sealed class StopRecorder(System.Collections.Concurrent.ConcurrentQueue<string> log, string name) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is Props props)
                Sender.Tell(Context.ActorOf(props, "child"));
        }

        protected override void PostStop() => log.Enqueue(name);
    }

    [Fact]
    public void Stopping_a_parent_stops_its_children_first()
    {
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var parent = Sys.ActorOf(Props.Create(() => new StopRecorder(log, "parent")), "parent");
        parent.Tell(Props.Create(() => new StopRecorder(log, "child")), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);
        Watch(parent);
        Sys.Stop(parent);
        ExpectTerminated(child);
        ExpectTerminated(parent);
        Assert.Equal(["child", "parent"], log);
    }

    [Fact]
    public async Task Graceful_stop_waits_for_termination()
    {
        var counter = Sys.ActorOf(Props.Create(() => new Counter()), "graceful");
        Assert.True(await counter.GracefulStop(TestTime.Dilated(TimeSpan.FromSeconds(3))));
    }

    [Fact]
    public void Messages_to_a_stopped_actor_become_dead_letters()
    {
        var counter = Sys.ActorOf(Props.Create(() => new Counter()), "gone");
        Watch(counter);
        Sys.Stop(counter);
        ExpectTerminated(counter);
        var letters = ExpectDeadLetters<string>(() => counter.Tell("inc", TestActor));
        Assert.Equal(counter, letters[0].Recipient);
    }

    private sealed class Slow : ActorBase
    {
        protected override void OnReceive(object message) => Thread.Sleep(1);
    }

    [Fact]
    public void A_stop_overtakes_queued_user_messages_which_become_dead_letters()
    {
        var slow = Sys.ActorOf(Props.Create(() => new Slow()), "slow");
        Watch(slow);
        var letters = ExpectDeadLetters<int>(() =>
        {
            for (var i = 0; i < 500; i++)
                slow.Tell(i);
            Sys.Stop(slow);
        }, occurrences: 100);
        ExpectTerminated(slow);
        Assert.All(letters, l => Assert.Equal(slow, l.Recipient));
    }

    [Fact]
    public void Names_are_unique_among_siblings()
    {
        Sys.ActorOf(Props.Create(() => new Counter()), "same");
        Assert.Throws<InvalidOperationException>(() => Sys.ActorOf(Props.Create(() => new Counter()), "same"));
        Assert.Throws<ArgumentException>(() => Sys.ActorOf(Props.Create(() => new Counter()), "a/b"));
        Assert.Throws<InvalidOperationException>(() => new Counter());
    }
}

/// <summary>Restart windows measured on a clock the test moves.</summary>
public sealed class RestartWindowTests : TestKitBase
{
    private readonly ManualTime _time;

    public RestartWindowTests()
        : this(new ManualTime())
    {
    }

    private RestartWindowTests(ManualTime time)
        : base(new ActorSystemSettings(Time: time))
    {
        _time = time;
    }

    [Fact]
    public void Restarts_outside_the_window_start_a_new_count()
    {
        var supervisor = Sys.ActorOf(Props.Create(() => new Supervisor(new OneForOneStrategy(1, TimeSpan.FromSeconds(10)))), "supervisor");
        supervisor.Tell((Props.Create(() => new Counter()), "child"), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);

        ExpectFailure<InvalidOperationException>(() => child.Tell(new InvalidOperationException()));
        // The failure is seen before the supervisor decides on it: an answer from the restarted child says it has,
        // so the first restart is counted at the window's start, not after the clock moves.
        child.Tell("get", TestActor);
        ExpectMsg(0);
        _time.Advance(TimeSpan.FromSeconds(11));
        ExpectFailure<InvalidOperationException>(() => child.Tell(new InvalidOperationException()));
        child.Tell("get", TestActor);
        ExpectMsg(0);

        // A second failure inside the new window is one too many.
        ExpectFailure<InvalidOperationException>(() => child.Tell(new InvalidOperationException()));
        ExpectTerminated(child);
    }
}
