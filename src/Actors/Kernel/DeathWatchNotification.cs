namespace PdCluster.Actors.Kernel;

/// <summary>A watched actor stopped; becomes a Terminated for the watcher.</summary>
internal sealed record DeathWatchNotification(IActorRef Actor) : SystemMessage;
