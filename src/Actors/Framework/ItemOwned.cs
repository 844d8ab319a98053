namespace PdCluster.Actors.Framework;

/// <summary>Published by the <see cref="OwnershipAgent"/> when <see cref="Node"/> takes <see cref="Item"/>: it serves it (and has announced a VIP) from now on.</summary>
/// <param name="Revision">The revision of the owner key's write that gave it the item.</param>
public sealed record ItemOwned(string Node, ClusterItem Item, long Revision);
