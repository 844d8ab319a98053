namespace PdCluster.Actors.Framework;

/// <summary>The node released <see cref="Items"/> and left the election; the coordinator reassigns them.</summary>
public sealed record HandedOver(string Node, IReadOnlyList<string> Items, long Revision);
