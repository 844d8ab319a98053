namespace PdCluster.Actors.Kernel;

/// <summary>The address of an actor: the only way to talk to it.</summary>
public interface IActorRef
{
    /// <summary>Where the actor sits in the hierarchy, e.g. <c>/user/node/pd0</c>.</summary>
    string Path { get; }

    /// <summary>
    /// Sends <paramref name="message"/> without waiting; <paramref name="sender"/> is who a reply goes to. Without
    /// one, a message sent from inside an actor carries that actor as its sender (Akka's implicit sender).
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}
