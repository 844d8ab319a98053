namespace PdCluster.Node.Configuration;

/// <summary>One cluster item the node can serve (the config's <c>items</c>): a virtual IP or a traffic shard.</summary>
public sealed class ItemConfig
{
    /// <summary>The item's id, the same on every node that declares it (the key <c>owners/&lt;id&gt;</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>"vip" or "shard".</summary>
    public string Kind { get; set; } = "";

    /// <summary>A VIP's IPv4 or IPv6 address.</summary>
    public string? Address { get; set; }

    /// <summary>The adapter a VIP is announced on (gratuitous ARP or, for IPv6, unsolicited neighbor advertisement on its interface).</summary>
    public string? Adapter { get; set; }
}
