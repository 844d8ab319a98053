namespace PdCluster.Actors.Kernel;

/// <summary>Registers a death watch of the watcher on the watchee.</summary>
internal sealed record Watch(IActorRef Watchee, IActorRef Watcher) : SystemMessage;
