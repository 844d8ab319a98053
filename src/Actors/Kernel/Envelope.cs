namespace PdCluster.Actors.Kernel;

/// <summary>A user message and who sent it.</summary>
/// <summary>A user message with its sender, as a mailbox queues it.</summary>
internal readonly record struct Envelope(object Message, IActorRef Sender);
