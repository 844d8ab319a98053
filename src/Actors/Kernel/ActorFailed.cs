namespace PdCluster.Actors.Kernel;

/// <summary>An actor failed; published on the event stream by its supervisor, whatever the directive.</summary>
public sealed record ActorFailed(IActorRef Actor, Exception Cause, Directive Directive);
