using System.Text.Json.Serialization;
using PdCluster.Queues.Input;

namespace PdCluster.Queues.Classification;

/// <summary>What a matching filter does to a packet in the software pipeline.</summary>
[JsonConverter(typeof(JsonEnumConverter<FilterAction>))]
public enum FilterAction
{
    /// <summary>Count the packet and let it continue.</summary>
    [JsonStringEnumMemberName("count")]
    Count,
    /// <summary>Count and drop it.</summary>
    [JsonStringEnumMemberName("drop")]
    Drop,
    /// <summary>Count it and hand it to the pipeline of the filter's <see cref="FilterSpec.Queue"/>.</summary>
    [JsonStringEnumMemberName("steer")]
    Steer,
    /// <summary>Count it and hand it back to the operating system's normal receive path (PD's OS path).</summary>
    [JsonStringEnumMemberName("os")]
    Os,
}
