namespace PdCluster.Actors.Kernel;

/// <summary>
/// An error no supervisor acts on, published on the event stream for operators: a hook that threw where nothing can
/// supervise it (PreRestart, PostStop), a failure while stopping or in the root guardian, a failing coordinated-shutdown
/// task, or something a framework actor gave up on (an adapter left stopped, a queue that could not be freed).
/// </summary>
/// <param name="Actor">The actor that reports it (<see cref="Nobody"/> for coordinated shutdown).</param>
/// <param name="Cause">The exception behind the error.</param>
public sealed record ActorError(IActorRef Actor, string Message, Exception Cause);
