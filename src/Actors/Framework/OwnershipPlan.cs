using System.Text.Json;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The coordinator's decision over one <see cref="OwnershipSnapshot"/>, as one transaction: every item a live member
/// declares gets one owner among the live members that declare it and can serve (not every adapter Removed or Failed),
/// the least loaded first (ties by name). An owner stays while it can serve; an item whose owner is gone, cannot serve
/// or no longer declares it moves; an item no live member can serve loses its owner key. Each owner key is written on
/// the new owner's member lease (it vanishes with the node), guarded by the owner key's and the member key's mod
/// revisions as read, so a change made since the read fails the transaction instead of being overwritten.
/// </summary>
public sealed record OwnershipPlan(IReadOnlyList<Compare> When, IReadOnlyList<TxnOp> Then, IReadOnlyList<OwnerMove> Moves)
{
    /// <summary>Whether there is nothing to write.</summary>
    public bool IsEmpty => Then.Count == 0;

    /// <summary>Plans the writes of the coordinator of <paramref name="term"/> under <paramref name="prefix"/> (<c>/pd/&lt;cluster&gt;/</c>).</summary>
    public static OwnershipPlan Compute(string prefix, long term, OwnershipSnapshot snapshot, DateTimeOffset now)
    {
        var members = new Dictionary<string, (KeyValue Key, HashSet<string> Items)>(StringComparer.Ordinal);
        foreach (var kv in snapshot.Members)
        {
            if (StoredJson.TryRead(kv.Value, MembershipJson.Default.MemberRecord) is { } record)
                members[record.Node] = (kv, new HashSet<string>(record.Items ?? [], StringComparer.Ordinal));
        }
        var unable = snapshot.Statuses.Select(s => StoredJson.TryRead(s.Value, MembershipJson.Default.MemberStatus)).OfType<MemberStatus>()
            .Where(CannotServe).Select(s => s.Node).ToHashSet(StringComparer.Ordinal);
        var owners = new SortedDictionary<string, (KeyValue Key, OwnerRecord? Record)>(StringComparer.Ordinal);
        foreach (var kv in snapshot.Owners)
            owners[kv.Key[(prefix.Length + "owners/".Length)..]] = (kv, StoredJson.TryRead(kv.Value, MembershipJson.Default.OwnerRecord));

        bool Serves(string node, string item) => members.TryGetValue(node, out var m) && m.Items.Contains(item) && !unable.Contains(node);
        var load = members.Keys.ToDictionary(n => n, _ => 0, StringComparer.Ordinal);
        foreach (var (item, owner) in owners)
        {
            if (owner.Record is { } r && Serves(r.Node, item))
                load[r.Node]++;
        }

        var items = new SortedSet<string>(members.Values.SelectMany(m => m.Items), StringComparer.Ordinal);
        items.UnionWith(owners.Keys);
        var when = new List<Compare>();
        var then = new List<TxnOp>();
        var moves = new List<OwnerMove>();
        foreach (var item in items)
        {
            var current = owners.TryGetValue(item, out var o) ? o : default;
            var from = current.Record?.Node;
            if (from is not null && Serves(from, item))
                continue;
            var key = $"{prefix}owners/{item}";
            var to = load.Keys.Where(n => Serves(n, item)).OrderBy(n => load[n]).ThenBy(n => n, StringComparer.Ordinal).FirstOrDefault();
            if (to is null && current.Key is null)
                continue;
            when.Add(Compare.ModRevision(key, current.Key?.ModRevision ?? 0));
            if (to is null)
            {
                then.Add(new TxnOp.Delete(key));
            }
            else
            {
                var member = members[to].Key;
                when.Add(Compare.ModRevision(member.Key, member.ModRevision));
                then.Add(new TxnOp.Put(key, JsonSerializer.Serialize(new OwnerRecord(item, to, term, now), MembershipJson.Default.OwnerRecord), member.Lease));
                load[to]++;
            }
            moves.Add(new OwnerMove(item, from, to));
        }
        return new OwnershipPlan(when, then, moves);
    }

    /// <summary>A node that reports adapters, every one of them Removed or Failed, has no data path to serve with.</summary>
    private static bool CannotServe(MemberStatus status) =>
        status.Adapters.Count > 0 && status.Adapters.Values.All(s => s is AdapterState.Removed or AdapterState.Failed);
}
