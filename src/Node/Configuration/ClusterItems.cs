using System.Net;
using PdCluster.Actors.Framework;

namespace PdCluster.Node.Configuration;

/// <summary>Checks the config's <c>items</c> and turns them into the <see cref="ClusterItem"/>s the node declares.</summary>
public static class ClusterItems
{
    /// <summary>The items of <paramref name="config"/>; a bad one is a <see cref="ConfigException"/> naming its key.</summary>
    public static IReadOnlyList<ClusterItem> Read(NodeConfig config, string source)
    {
        var items = new List<ClusterItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Items.Count; i++)
        {
            var item = config.Items[i];
            var key = $"items[{i}]";
            if (!ClusterNames.IsName(item.Id))
                throw NodeConfigLoader.Fail(source, $"{key}.id", $"'{item.Id}' is not an item id: {ClusterNames.Rule} (it is the key owners/<id>).");
            if (!ids.Add(item.Id))
                throw NodeConfigLoader.Fail(source, $"{key}.id", $"'{item.Id}' is declared twice.");
            items.Add(item.Kind switch
            {
                "vip" => Vip(item, key, config, source, items),
                "shard" when item.Address is not null => throw NodeConfigLoader.Fail(source, $"{key}.address", "a shard has no address (only a vip does)."),
                "shard" when item.Adapter is not null => throw NodeConfigLoader.Fail(source, $"{key}.adapter", "a shard is announced on no adapter (only a vip is)."),
                "shard" => new ClusterItem(item.Id, ClusterItemKind.Shard),
                _ => throw NodeConfigLoader.Fail(source, $"{key}.kind", $"'{item.Kind}' is not an item kind (known: vip, shard)."),
            });
        }
        return items;
    }

    private static ClusterItem Vip(ItemConfig item, string key, NodeConfig config, string source, IReadOnlyList<ClusterItem> earlier)
    {
        if (item.Address is null || !UnicastAddress.TryParse(item.Address, out var address))
            throw NodeConfigLoader.Fail(source, $"{key}.address", $"a vip needs a unicast IPv4 or IPv6 address such as 198.18.0.10 or 2001:2::10 (got {(item.Address is null ? "none" : $"'{item.Address}'")}).");
        // Two items on one address could go to two nodes, both announcing it: the peers' neighbour entries would flap.
        if (earlier.FirstOrDefault(e => address.Equals(e.Address)) is { } same)
            throw NodeConfigLoader.Fail(source, $"{key}.address", $"{address} is item {same.Id}'s address as well; an address is one item's.");
        if (item.Adapter is null || !config.Adapters.Any(a => a.Name == item.Adapter))
            throw NodeConfigLoader.Fail(source, $"{key}.adapter", $"a vip names the adapter it is announced on, one of {string.Join(", ", config.Adapters.Select(a => a.Name))} (got {(item.Adapter is null ? "none" : $"'{item.Adapter}'")}).");
        return new ClusterItem(item.Id, ClusterItemKind.Vip, address, item.Adapter);
    }
}
