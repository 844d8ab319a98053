namespace PdCluster.Actors.Framework;

/// <summary>What a cluster item is: an address one node answers for, or a share of the traffic one node serves.</summary>
public enum ClusterItemKind
{
    /// <summary>A virtual IP: its owner announces it (gratuitous ARP, or unsolicited neighbor advertisement for IPv6) and receives its traffic.</summary>
    Vip,
    /// <summary>A traffic shard: its owner serves it; nothing is announced.</summary>
    Shard,
}
