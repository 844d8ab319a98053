using System.Text.Json;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The coordinator's decision over one <see cref="OwnershipSnapshot"/>, as one transaction: every item a live member
/// (a <c>members/</c> record held by a lease; one written without a lease is no node's registration) declares gets one owner among the live members that declare it and can serve it now (their status does not list it as
/// unserved, <see cref="ItemReadiness"/>),
/// the least loaded first (ties by name). An owner keeps its item while it can serve it, unless it holds two or more items
/// more than another node that could take it (then the item moves, see <see cref="Rebalance"/>); an item whose owner is
/// gone, cannot serve it or no longer declares it moves; an item no live member can serve loses its owner key. Each owner key is written on
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
            if (kv.Lease != 0 && StoredJson.TryRead(kv.Value, MembershipJson.Default.MemberRecord) is { } record)
                members[record.Node] = (kv, new HashSet<string>(record.Items ?? [], StringComparer.Ordinal));
        }
        var unserved = Unserved(snapshot.Statuses);
        var owners = new SortedDictionary<string, (KeyValue Key, OwnerRecord? Record)>(StringComparer.Ordinal);
        foreach (var kv in snapshot.Owners)
            owners[kv.Key[(prefix.Length + "owners/".Length)..]] = (kv, StoredJson.TryRead(kv.Value, MembershipJson.Default.OwnerRecord));

        bool Serves(string node, string item) => members.TryGetValue(node, out var m) && m.Items.Contains(item) && !(unserved.TryGetValue(node, out var u) && u.Contains(item));
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
        Rebalance(prefix, term, now, members, owners, load, Serves, when, then, moves);
        return new OwnershipPlan([.. when.Distinct()], then, moves);
    }

    /// <summary>
    /// Moves items from the most loaded node to the least loaded one that can serve them while the two differ by two
    /// or more, so a node that joins (or comes back) takes its share: each move is a short gap for that one item.
    /// </summary>
    private static void Rebalance(string prefix, long term, DateTimeOffset now, Dictionary<string, (KeyValue Key, HashSet<string> Items)> members,
        SortedDictionary<string, (KeyValue Key, OwnerRecord? Record)> owners, Dictionary<string, int> load, Func<string, string, bool> serves,
        List<Compare> when, List<TxnOp> then, List<OwnerMove> moves)
    {
        var moved = moves.Select(m => m.Item).ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var move = owners
                .Where(o => !moved.Contains(o.Key) && o.Value.Record is { } r && serves(r.Node, o.Key))
                .Select(o => (Item: o.Key, o.Value.Key, From: o.Value.Record!.Node,
                    To: load.Keys.Where(n => serves(n, o.Key)).OrderBy(n => load[n]).ThenBy(n => n, StringComparer.Ordinal).First()))
                .Where(m => load[m.From] - load[m.To] >= 2)
                .OrderByDescending(m => load[m.From]).ThenBy(m => m.Item, StringComparer.Ordinal)
                .FirstOrDefault();
            if (move.Item is null)
                return;
            var member = members[move.To].Key;
            when.Add(Compare.ModRevision(move.Key.Key, move.Key.ModRevision));
            when.Add(Compare.ModRevision(member.Key, member.ModRevision));
            then.Add(new TxnOp.Put(move.Key.Key, JsonSerializer.Serialize(new OwnerRecord(move.Item, move.To, term, now), MembershipJson.Default.OwnerRecord), member.Lease));
            load[move.From]--;
            load[move.To]++;
            moved.Add(move.Item);
            moves.Add(new OwnerMove(move.Item, move.From, move.To));
        }
    }

    /// <summary>Each node's <see cref="MemberStatus.Unserved"/> items, from the <c>status/</c> records that read.</summary>
    private static Dictionary<string, HashSet<string>> Unserved(IEnumerable<KeyValue> statuses) =>
        statuses.Select(s => StoredJson.TryRead(s.Value, MembershipJson.Default.MemberStatus)).OfType<MemberStatus>()
            .GroupBy(s => s.Node, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new HashSet<string>(g.Last().Unserved ?? [], StringComparer.Ordinal), StringComparer.Ordinal);
}
