namespace PdCluster.Actors.Kernel;

/// <summary>Tells a watcher that an actor it watches has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);
