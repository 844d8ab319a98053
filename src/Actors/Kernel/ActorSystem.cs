namespace PdCluster.Actors.Kernel;

/// <summary>
/// A hierarchy of actors under one guardian (<c>/user</c>), with its dispatchers, event stream, dead letters and
/// coordinated shutdown. Nothing is global: two systems in one process share nothing.
/// </summary>
public sealed class ActorSystem
{
    private readonly ActorCell _guardian;
    private readonly PinnedDispatcher _pinned = new("pinned");
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ActorSystem(string name, ActorSystemSettings settings)
    {
        Name = name;
        Throughput = settings.Throughput;
        GuardianStrategy = settings.GuardianStrategy ?? SupervisorStrategy.Default;
        Time = settings.Time ?? TimeProvider.System;
        DeadLetters = new DeadLetterRef(EventStream);
        CoordinatedShutdown = new CoordinatedShutdown(this, settings.ShutdownPhaseTimeout > TimeSpan.Zero ? settings.ShutdownPhaseTimeout : TimeSpan.FromSeconds(10));
        _guardian = new ActorCell(this, null, Props.Create(() => new Guardian()), "/user");
        _guardian.Start();
    }

    /// <summary>Creates and starts a system.</summary>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null) => new(name, settings ?? new ActorSystemSettings());

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>User messages a mailbox handles per turn.</summary>
    public int Throughput { get; }

    /// <summary>How top-level actors are supervised.</summary>
    public SupervisorStrategy GuardianStrategy { get; }

    /// <summary>The clock supervision windows are measured by.</summary>
    public TimeProvider Time { get; }

    /// <summary>The publish/subscribe bus.</summary>
    public EventStream EventStream { get; } = new();

    /// <summary>Where undeliverable messages go.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>The ordered shutdown of this system.</summary>
    public CoordinatedShutdown CoordinatedShutdown { get; }

    /// <summary>Completes when every actor has stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _guardian.ActorOf(props, name);

    /// <summary>Stops an actor (its children first); messages still queued go to dead letters.</summary>
    public void Stop(IActorRef actor)
    {
        if (actor is LocalActorRef local)
            local.SendSystem(new Terminate());
    }

    /// <summary>Stops every actor; completes when they all have.</summary>
    public Task Terminate()
    {
        _guardian.Self.SendSystem(new Terminate());
        return WhenTerminated;
    }

    internal IDispatcher DispatcherFor(string name) => name switch
    {
        Props.DefaultDispatcher => ThreadPoolDispatcher.Instance,
        Props.PinnedDispatcher => _pinned,
        _ => throw new ArgumentException($"Unknown dispatcher '{name}' (use '{Props.DefaultDispatcher}' or '{Props.PinnedDispatcher}')."),
    };

    internal void OnGuardianTerminated() => _terminated.TrySetResult();

    /// <summary>The <c>/user</c> guardian: supervises top-level actors by the system's strategy.</summary>
    private sealed class Guardian : ActorBase
    {
        protected override SupervisorStrategy SupervisorStrategy => Context.System.GuardianStrategy;

        protected override void OnReceive(object message) => Unhandled(message);
    }
}
