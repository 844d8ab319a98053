using System.Diagnostics.Metrics;
using PdCluster.Actors.Framework;
using PdCluster.Queues.Buffers;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Node.Admin;

/// <summary>The node's System.Diagnostics.Metrics instruments: every PD counter, per adapter, queue and filter, and VFP's per VM port, layer and rule.</summary>
internal sealed class NodeMetrics : IDisposable
{
    private readonly Meter _meter = new("PdCluster.Node");

    /// <summary>The node's own meter, for its exporter.</summary>
    public Meter Meter => _meter;

    public NodeMetrics(IReadOnlyList<(string Name, AdapterTelemetry Telemetry, BufferPool Pool)> adapters, VfpPorts vfpPorts)
    {
        VfpInstruments.Register(_meter, vfpPorts.Snapshots);
        IEnumerable<Measurement<long>> PerQueue(Func<QueueTelemetry, long> read) =>
            adapters.SelectMany(a => a.Telemetry.Queues.Select(q => new Measurement<long>(read(q), new("adapter", a.Name), new("queue", q.Queue))));

        _meter.CreateObservableCounter("pd_rx_packets_total", () => PerQueue(q => q.Receive.ReceiveCounters.PacketsReceived), description: "Packets the adapter placed in the PD receive queue.");
        _meter.CreateObservableCounter("pd_rx_bytes_total", () => PerQueue(q => q.Receive.ReceiveCounters.BytesReceived), description: "Bytes the adapter placed in the PD receive queue.");
        _meter.CreateObservableCounter("pd_rx_dropped_total", () => PerQueue(q => q.Receive.ReceiveCounters.PacketsDropped), description: "Packets dropped for want of a posted receive buffer.");
        _meter.CreateObservableCounter("pd_tx_packets_total", () => PerQueue(q => q.Transmit.TransmitCounters.PacketsTransmitted), description: "Packets the adapter sent from the PD transmit queue.");
        _meter.CreateObservableCounter("pd_pipeline_forwarded_total", () => PerQueue(q => q.Forwarded), description: "Packets the pipeline posted for transmit.");
        _meter.CreateObservableCounter("pd_pipeline_dropped_total", () => PerQueue(q => q.Dropped), description: "Packets the pipeline dropped.");
        _meter.CreateObservableCounter("pd_queue_busy_seconds_total", () => adapters.SelectMany(a => a.Telemetry.Queues.Select(q =>
            new Measurement<double>(q.Busy.TotalSeconds, new("adapter", a.Name), new("queue", q.Queue)))),
            description: "Time the queue's core spent in duty cycles that found work; its rate is the core's load.");
        _meter.CreateObservableCounter("pd_filter_hits_total", () => adapters.SelectMany(a => a.Telemetry.Queues.SelectMany(q =>
        {
            var table = q.Filters;
            return table is null
                ? []
                : table.Specs.Select((s, i) => new Measurement<long>(table.Hits(i), new("adapter", a.Name), new("queue", q.Queue), new("filter", s.Id)));
        })), description: "Packets each software filter matched.");
        _meter.CreateObservableGauge("pd_pool_free_buffers", () => adapters.Select(a => new Measurement<long>(a.Pool.FreeCount, new KeyValuePair<string, object?>("adapter", a.Name))), description: "Buffers in the adapter's pool not held by any queue.");
        _meter.CreateObservableGauge("pd_pool_buffers", () => adapters.Select(a => new Measurement<long>(a.Pool.Capacity, new KeyValuePair<string, object?>("adapter", a.Name))), description: "Buffers the adapter's pool owns.");
        _meter.CreateObservableGauge("pd_adapter_state", () => adapters.SelectMany(a => Enum.GetValues<AdapterState>().Select(s =>
            new Measurement<long>(a.Telemetry.State == s ? 1 : 0, new("adapter", a.Name), new("state", s.ToString())))), description: "1 for the adapter's current state.");
        _meter.CreateObservableCounter("pd_os_path_packets_total", () => PerQueue(q => q.HandedToOs), description: "Packets the queue's pipeline handed back to the OS path (ARP, LLDP, what no stage wants).");
    }

    public void Dispose() => _meter.Dispose();
}
