namespace PdCluster.Actors.Framework;

/// <summary>
/// Asks the <see cref="OwnershipAgent"/> to leave gracefully: it stops serving, then in one transaction deletes its
/// owner keys, its member key and its election key, so the coordinator gives its items to other nodes at once. The
/// answer is <see cref="HandedOver"/>.
/// </summary>
public sealed record HandOver
{
    /// <summary>The one instance.</summary>
    public static readonly HandOver Instance = new();
}
