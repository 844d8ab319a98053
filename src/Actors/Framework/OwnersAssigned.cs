namespace PdCluster.Actors.Framework;

/// <summary>Published by the leading <see cref="Coordinator"/> after a committed transaction that changed owners.</summary>
public sealed record OwnersAssigned(string Coordinator, long Revision, IReadOnlyList<OwnerMove> Moves);
