namespace PdCluster.Actors.Kernel;

/// <summary>An actor received <see cref="Terminated"/> for a watched actor and did not handle it.</summary>
public sealed class DeathPactException(IActorRef dead) : Exception($"Watched actor {dead.Path} terminated and the watcher did not handle Terminated.")
{
    /// <summary>The actor that terminated.</summary>
    public IActorRef Dead { get; } = dead;
}
