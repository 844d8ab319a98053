using System.Text.Json.Serialization;
using PdCluster.Queues.Input;

namespace PdCluster.Vfp;

/// <summary>What a matching VFP rule does with a packet.</summary>
[JsonConverter(typeof(JsonEnumConverter<VfpAction>))]
public enum VfpAction : byte
{
    /// <summary>The rule's group lets the packet through its layer.</summary>
    [JsonStringEnumMemberName("allow")]
    Allow,
    /// <summary>The packet is dropped: no later group or layer sees it.</summary>
    [JsonStringEnumMemberName("block")]
    Block,
    /// <summary>The rule counts the packet and its group decides nothing: the next group of the layer goes on.</summary>
    [JsonStringEnumMemberName("count")]
    Count,
    /// <summary>Allow, rewriting the destination from the rule's virtual IP to its direct IP (and the reply's source back).</summary>
    [JsonStringEnumMemberName("dnat")]
    DestinationNat,
}
