namespace PdCluster.Actors.Kernel;

/// <summary>How to make an actor: its factory and the dispatcher it runs on (an actor supervises its children by its own <c>SupervisorStrategy</c>).</summary>
public sealed record Props
{
    /// <summary>Runs on the shared .NET thread pool, a batch of messages at a time.</summary>
    public const string DefaultDispatcher = "default";

    /// <summary>Runs on a thread of its own (queue actors).</summary>
    public const string PinnedDispatcher = "pinned";

    private Props(Func<ActorBase> factory) => Factory = factory;

    /// <summary>Makes a fresh instance; called again on every restart.</summary>
    public Func<ActorBase> Factory { get; }

    /// <summary><see cref="DefaultDispatcher"/> or <see cref="PinnedDispatcher"/>.</summary>
    public string Dispatcher { get; init; } = DefaultDispatcher;

    /// <summary>Props that call <paramref name="factory"/> for each incarnation.</summary>
    public static Props Create(Func<ActorBase> factory) => new(factory);

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>() where TActor : ActorBase, new() => new(() => new TActor());

    /// <summary>The same props on another dispatcher.</summary>
    public Props WithDispatcher(string dispatcher) => this with { Dispatcher = dispatcher };
}
