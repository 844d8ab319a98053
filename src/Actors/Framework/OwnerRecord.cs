namespace PdCluster.Actors.Framework;

/// <summary>What the coordinator writes under <c>owners/&lt;item&gt;</c>, on the owner's member lease: who serves the item, since when.</summary>
/// <param name="Term">The create revision of the election key of the coordinator that assigned it.</param>
public sealed record OwnerRecord(string Item, string Node, long Term, DateTimeOffset Since);
