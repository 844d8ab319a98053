namespace PdCluster.Actors.Framework;

/// <summary>Published by the <see cref="OwnershipAgent"/> when <see cref="Node"/> stops serving <see cref="Item"/> (moved away, gone from the store, or handed over).</summary>
public sealed record ItemReleased(string Node, string Item);
