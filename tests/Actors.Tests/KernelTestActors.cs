using System.Runtime.CompilerServices;
using PdCluster.Actors.Kernel;
using PdCluster.Concurrency;

namespace PdCluster.Tests.Actors;

/// <summary>
/// Counts "inc", answers "get" with its count, throws the exception it is sent, and reports its lifecycle hooks to
/// an observer.
/// </summary>
internal sealed class Counter : ReceiveActor
{
    private readonly IActorRef? _observer;
    private int _count;

    public Counter(IActorRef? observer = null)
    {
        _observer = observer;
        Receive<string>(s => s == "inc", _ => _count++);
        Receive<string>(s => s == "get", _ => Sender.Tell(_count));
        Receive<Exception>(e => throw e);
        Receive<Props>(p => Sender.Tell(Context.ActorOf(p)));
    }

    protected override void PreStart() => _observer?.Tell("prestart");

    protected override void PostStop() => _observer?.Tell("poststop");

    protected override void PreRestart(Exception reason, object? message)
    {
        _observer?.Tell($"prerestart:{message?.GetType().Name}");
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _observer?.Tell("postrestart");
        base.PostRestart(reason);
    }
}

/// <summary>A supervisor with a given strategy that creates children on request and forwards other messages to them by name.</summary>
internal sealed class Supervisor(SupervisorStrategy strategy) : ActorBase
{
    protected override SupervisorStrategy SupervisorStrategy => strategy;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case (Props props, string name):
                Sender.Tell(Context.ActorOf(props, name));
                break;
            case Exception e:
                throw e;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>Watches whatever it is sent and reports each Terminated to an observer; "unwatch" + ref stops watching.</summary>
internal sealed class Watcher(IActorRef observer) : ActorBase
{
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ("watch", IActorRef target):
                Context.Watch(target);
                Sender.Tell("watching");
                break;
            case ("unwatch", IActorRef target):
                Context.Unwatch(target);
                Sender.Tell("unwatched");
                break;
            case Terminated t:
                observer.Tell(t);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>
/// A pinned, polled actor whose first incarnation fails in its first duty cycle; tells the observer its restart hooks
/// and any duty cycle run on an instance after its PreRestart.
/// </summary>
internal sealed class FailingPoller(IActorRef observer, StrongBox<int> incarnations) : ActorBase, IPolledActor
{
    private readonly int _incarnation = Interlocked.Increment(ref incarnations.Value);
    private bool _replaced;

    private IIdleStrategy? _idle;

    public IIdleStrategy IdleStrategy => _idle ??= new BackoffIdleStrategy(WakeSignal);

    public WakeSignal WakeSignal { get; } = new();

    public int Poll()
    {
        if (_replaced)
            observer.Tell($"poll after prerestart:{_incarnation}");
        if (_incarnation == 1)
            throw new InvalidOperationException("duty cycle bug");
        return 0;
    }

    protected override void OnReceive(object message) => Unhandled(message);

    protected override void PreRestart(Exception reason, object? message)
    {
        _replaced = true;
        observer.Tell($"prerestart:{_incarnation}");
    }

    protected override void PostRestart(Exception reason) => observer.Tell($"postrestart:{_incarnation}");
}
