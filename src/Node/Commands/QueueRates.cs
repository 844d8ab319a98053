using System.Text.Json.Serialization;
using PdCluster.Actors.Framework;

namespace PdCluster.Node.Commands;

/// <summary>One queue's rates (or an adapter with no queues running).</summary>
internal sealed record QueueRates(
    [property: JsonPropertyName("adapter")] string Adapter,
    [property: JsonPropertyName("queue")] int? Queue,
    [property: JsonPropertyName("state")] AdapterState State,
    [property: JsonPropertyName("rx_pps")] long RxPps,
    [property: JsonPropertyName("tx_pps")] long TxPps,
    [property: JsonPropertyName("drops_per_s")] long DropsPerSecond,
    [property: JsonPropertyName("to_os_per_s")] long ToOsPerSecond,
    [property: JsonPropertyName("busy_percent")] double BusyPercent,
    [property: JsonPropertyName("filter_hits")] IReadOnlyDictionary<string, long> FilterHits);
