namespace PdCluster.Actors.Kernel;

/// <summary>A timer's message on its way to the actor, tagged so a cancelled or replaced timer's message is dropped.</summary>
internal sealed record TimerMessage(object Key, int Generation, object Message);
