using System.Diagnostics.Metrics;
using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>The counters as a meter listener (the node's <c>/metrics</c> exporter) collects them.</summary>
public sealed class VfpInstrumentsTests
{
    [Fact]
    public void A_collection_reports_every_port_layer_and_rule_counter_with_its_labels()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 53));
        port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 53));
        port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 80));
        var idle = new VfpPort("vm2");
        idle.Disable();

        using var meter = new Meter($"vfp-test-{Guid.NewGuid()}");
        VfpInstruments.Register(meter, () => [port.Snapshot(), idle.Snapshot()]);
        var samples = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            samples.Add($"{instrument.Name}{{{string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}}} {value}"));
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Contains("pd_vfp_port_packets_total{port=vm1,verdict=allowed} 2", samples);
        Assert.Contains("pd_vfp_port_packets_total{port=vm1,verdict=blocked} 1", samples);
        Assert.Contains("pd_vfp_port_bytes_total{port=vm1,verdict=allowed} 120", samples);
        Assert.Contains("pd_vfp_layer_packets_total{port=vm1,layer=acl,verdict=blocked} 1", samples);
        Assert.Contains("pd_vfp_rule_packets_total{port=vm1,layer=acl,group=in,direction=inbound,rule=dns,verdict=allowed} 2", samples);
        Assert.Contains("pd_vfp_flow_table_hits_total{port=vm1} 1", samples);
        Assert.Contains("pd_vfp_flow_table_misses_total{port=vm1} 2", samples);
        Assert.Contains("pd_vfp_port_disabled{port=vm2} 1", samples);
        Assert.Contains("pd_vfp_port_disabled{port=vm1} 0", samples);
    }
}
