using System.Text.Json.Serialization;
using PdCluster.Queues.Input;

namespace PdCluster.Vfp;

/// <summary>Which way a packet crosses a VM port: inbound goes to the VM, outbound comes from it.</summary>
[JsonConverter(typeof(JsonEnumConverter<VfpDirection>))]
public enum VfpDirection : byte
{
    /// <summary>From the switch to the VM.</summary>
    [JsonStringEnumMemberName("inbound")]
    Inbound,
    /// <summary>From the VM to the switch.</summary>
    [JsonStringEnumMemberName("outbound")]
    Outbound,
}
