using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Which <c>members/</c> and <c>election/</c> keys are a node's: a node writes both on its member lease, so a key with
/// no lease (written by another client, a restore, a test) registers nobody and campaigns for nobody.
/// </summary>
public static class LeaseHeld
{
    /// <summary>The keys among <paramref name="members"/> and <paramref name="election"/> that no lease holds, in key order.</summary>
    public static IReadOnlyList<string> Stray(IEnumerable<KeyValue> members, IEnumerable<KeyValue> election) =>
        [.. members.Concat(election).Where(k => k.Lease == 0).Select(k => k.Key).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The leading election key under <paramref name="prefix"/>: the lowest create revision among the election keys
    /// on the same non-zero lease as the member key of the same node; null when there is none.
    /// </summary>
    public static KeyValue? Leader(string prefix, IEnumerable<KeyValue> members, IEnumerable<KeyValue> election)
    {
        var leases = members.Where(m => m.Lease != 0).ToDictionary(m => m.Key[(prefix.Length + "members/".Length)..], m => m.Lease, StringComparer.Ordinal);
        return election
            .Where(e => e.Lease != 0 && leases.TryGetValue(e.Key[(prefix.Length + "election/".Length)..], out var lease) && lease == e.Lease)
            .MinBy(e => e.CreateRevision);
    }
}
