using System.Net;
using PdCluster.Actors.Framework;

namespace PdCluster.Node.Configuration;

/// <summary>
/// Checks the node's teams (<c>adapters[].team</c>, <c>adapters[].addresses</c>): a team has two or more members,
/// all simulated or all Linux interfaces in one namespace, of one link type; an address is unicast IPv4 or IPv6, belongs to a team
/// member, and to one adapter only.
/// </summary>
internal static class TeamRules
{
    public static void Check(NodeConfig config, string source)
    {
        var owners = new Dictionary<IPAddress, int>();
        for (var i = 0; i < config.Adapters.Count; i++)
        {
            var a = config.Adapters[i];
            if (a.Team is { } team && !ClusterNames.IsName(team))
                throw NodeConfigLoader.Fail(source, $"adapters[{i}].team", $"'{team}' is not a team name: {ClusterNames.Rule}.");
            if (a.Addresses is not { } addresses)
                continue;
            if (a.Team is null)
                throw NodeConfigLoader.Fail(source, $"adapters[{i}].addresses", "is for an adapter in a team (adapters[].team): a survivor of its team announces them while it is down.");
            for (var j = 0; j < addresses.Count; j++)
            {
                var key = $"adapters[{i}].addresses[{j}]";
                if (!UnicastAddress.TryParse(addresses[j], out var address))
                    throw NodeConfigLoader.Fail(source, key, $"'{addresses[j]}' is not a unicast IPv4 or IPv6 address such as 198.18.1.1 or 2001:2::1.");
                if (!owners.TryAdd(address!, i))
                    throw NodeConfigLoader.Fail(source, key, $"{address} is already adapters[{owners[address!]}]'s address; an address belongs to one adapter.");
            }
        }
        foreach (var members in config.Adapters.Select((a, i) => (Adapter: a, Index: i)).Where(m => m.Adapter.Team is not null).GroupBy(m => m.Adapter.Team!, StringComparer.Ordinal))
            CheckMembers(members.Key, [.. members], source);
    }

    private static void CheckMembers(string team, IReadOnlyList<(AdapterConfig Adapter, int Index)> members, string source)
    {
        var (first, at) = members[0];
        if (members.Count == 1)
            throw NodeConfigLoader.Fail(source, $"adapters[{at}].team", $"team '{team}' has only {first.Name}; a team is two or more adapters of the node.");
        foreach (var (member, index) in members.Skip(1))
        {
            var key = $"adapters[{index}].team";
            if (IsSimulated(member) != IsSimulated(first))
                throw NodeConfigLoader.Fail(source, key, $"{member.Name} (provider {member.Provider}) cannot team with {first.Name} (provider {first.Provider}): a team is all simulated adapters or all Linux interfaces (afxdp, afpacket, auto).");
            if (!IsSimulated(member) && member.Namespace != first.Namespace)
                throw NodeConfigLoader.Fail(source, key, $"{member.Name} is in {Namespace(member)} and {first.Name} in {Namespace(first)}: a team's interfaces share one network namespace, where the survivor announces the others' addresses.");
            if (IsSimulated(member) && (member.Simulated?.LinkType ?? default) != (first.Simulated?.LinkType ?? default))
                throw NodeConfigLoader.Fail(source, key, $"{member.Name} ({member.Simulated?.LinkType}) cannot team with {first.Name} ({first.Simulated?.LinkType}): a team's members have one link type.");
        }
    }

    private static bool IsSimulated(AdapterConfig a) => a.Provider == "simulated";

    private static string Namespace(AdapterConfig a) => a.Namespace is { } name ? $"namespace '{name}'" : "the node's own namespace";
}
