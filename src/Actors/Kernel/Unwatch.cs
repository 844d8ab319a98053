namespace PdCluster.Actors.Kernel;

/// <summary>Removes a death watch.</summary>
internal sealed record Unwatch(IActorRef Watchee, IActorRef Watcher) : SystemMessage;
