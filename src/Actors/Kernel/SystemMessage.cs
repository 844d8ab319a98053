namespace PdCluster.Actors.Kernel;

/// <summary>Messages the kernel sends between cells; they overtake user messages.</summary>
/// <summary>A message of the kernel itself: run before any user message, never a dead letter to the actor.</summary>
internal abstract record SystemMessage;
