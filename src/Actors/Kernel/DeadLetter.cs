namespace PdCluster.Actors.Kernel;

/// <summary>A message that could not be delivered, published on the event stream.</summary>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient);
