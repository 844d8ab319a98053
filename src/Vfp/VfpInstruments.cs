using System.Diagnostics.Metrics;

namespace PdCluster.Vfp;

/// <summary>
/// Publishes VFP counters as observable instruments on a meter (the node's, so <c>/metrics</c> exports them):
/// per port, layer and rule, allowed and blocked packets and bytes, the flow table's use, and whether a port is
/// disabled. <paramref name="ports"/> is called on every collection and gives the snapshots to report.
/// </summary>
public static class VfpInstruments
{
    /// <summary>Creates the instruments on <paramref name="meter"/>; they live as long as the meter.</summary>
    public static void Register(Meter meter, Func<IEnumerable<VfpPortSnapshot>> ports)
    {
        IEnumerable<Measurement<long>> PerVerdict(Func<VfpPortSnapshot, IEnumerable<(VfpCounters Counters, KeyValuePair<string, object?>[] Tags)>> rows, bool bytes) =>
            ports().SelectMany(rows).SelectMany(row => new[]
            {
                new Measurement<long>(bytes ? row.Counters.AllowedBytes : row.Counters.AllowedPackets, [.. row.Tags, new("verdict", "allowed")]),
                new Measurement<long>(bytes ? row.Counters.BlockedBytes : row.Counters.BlockedPackets, [.. row.Tags, new("verdict", "blocked")]),
            });

        static IEnumerable<(VfpCounters, KeyValuePair<string, object?>[])> Port(VfpPortSnapshot p) => [(p.Counters, [new("port", p.Port)])];
        static IEnumerable<(VfpCounters, KeyValuePair<string, object?>[])> Layers(VfpPortSnapshot p) =>
            p.Layers.Select(l => (l.Counters, new KeyValuePair<string, object?>[] { new("port", p.Port), new("layer", l.Layer) }));
        static IEnumerable<(VfpCounters, KeyValuePair<string, object?>[])> Rules(VfpPortSnapshot p) =>
            p.Rules.Select(r => (r.Counters, new KeyValuePair<string, object?>[]
            {
                new("port", p.Port), new("layer", r.Layer), new("group", r.Group), new("direction", r.Direction == VfpDirection.Inbound ? "inbound" : "outbound"), new("rule", r.Rule),
            }));
        IEnumerable<Measurement<long>> PerPort(Func<VfpPortSnapshot, long> read) =>
            ports().Select(p => new Measurement<long>(read(p), new KeyValuePair<string, object?>("port", p.Port)));

        meter.CreateObservableCounter("pd_vfp_port_packets_total", () => PerVerdict(Port, false), description: "Packets a VM port's VFP allowed and blocked.");
        meter.CreateObservableCounter("pd_vfp_port_bytes_total", () => PerVerdict(Port, true), description: "Bytes a VM port's VFP allowed and blocked.");
        meter.CreateObservableCounter("pd_vfp_layer_packets_total", () => PerVerdict(Layers, false), description: "Packets each VFP layer let on and blocked.");
        meter.CreateObservableCounter("pd_vfp_layer_bytes_total", () => PerVerdict(Layers, true), description: "Bytes each VFP layer let on and blocked.");
        meter.CreateObservableCounter("pd_vfp_rule_packets_total", () => PerVerdict(Rules, false), description: "Packets each VFP rule matched, by the port's verdict on them.");
        meter.CreateObservableCounter("pd_vfp_rule_bytes_total", () => PerVerdict(Rules, true), description: "Bytes each VFP rule matched, by the port's verdict on them.");
        meter.CreateObservableCounter("pd_vfp_flow_table_hits_total", () => PerPort(p => p.FlowTable.Hits), description: "Packets the unified flow table decided.");
        meter.CreateObservableCounter("pd_vfp_flow_table_misses_total", () => PerPort(p => p.FlowTable.Misses), description: "Packets that went through the layers (a flow's first, or one invalidated or evicted).");
        meter.CreateObservableCounter("pd_vfp_flow_table_evictions_total", () => PerPort(p => p.FlowTable.Evictions), description: "Live flows pushed out of a full flow table.");
        meter.CreateObservableGauge("pd_vfp_port_disabled", () => PerPort(p => p.Disabled ? 1 : 0), description: "1 while a port is disabled (lets everything through).");
    }
}
