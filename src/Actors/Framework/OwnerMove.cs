namespace PdCluster.Actors.Framework;

/// <summary>One change of an item's owner the coordinator made: <see cref="From"/> null for an unowned item, <see cref="To"/> null when no live node can serve it.</summary>
public sealed record OwnerMove(string Item, string? From, string? To);
