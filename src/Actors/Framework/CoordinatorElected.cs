namespace PdCluster.Actors.Framework;

/// <summary>Published by the <see cref="Coordinator"/> of <see cref="Node"/> when it starts leading: its election key has the lowest create revision, <see cref="Term"/>.</summary>
public sealed record CoordinatorElected(string Node, long Term);
