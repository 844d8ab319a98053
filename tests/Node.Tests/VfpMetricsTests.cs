using PdCluster.Node.Admin;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Tests.Node;

/// <summary>The node's <c>/metrics</c> scrape carries the VFP counters of its VM ports, per port, layer and rule, and no other node's.</summary>
public sealed class VfpMetricsTests
{
    [Fact]
    public void A_ports_rule_and_layer_counters_are_in_the_scrape()
    {
        var ports = new VfpPorts();
        var port = ports.For("PORT-METRICS-1");
        port.Apply(VfpPolicy.FromRules([VfpRule.Read("""{"schemaVersion":1,"id":"dns","layer":"acl","group":"in","direction":"inbound","match":{"protocol":"udp","destinationPort":"53"},"action":"allow"}""", "test")]));
        foreach (var destinationPort in new ushort[] { 53, 53, 53, 80 })
        {
            var frame = new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(40000, destinationPort).Build(60);
            var info = new PacketInfo();
            PacketParser.Parse(frame, ref info);
            port.Process(VfpDirection.Inbound, frame, ref info);
        }
        using var metrics = new NodeMetrics([], ports);
        using var exporter = new PrometheusExporter(metrics.Meter);

        var scrape = exporter.Scrape();

        Assert.Contains("pd_vfp_rule_packets_total{port=\"PORT-METRICS-1\",layer=\"acl\",group=\"in\",direction=\"inbound\",rule=\"dns\",verdict=\"allowed\"} 3", scrape);
        Assert.Contains("pd_vfp_layer_packets_total{port=\"PORT-METRICS-1\",layer=\"acl\",verdict=\"blocked\"} 1", scrape);
        Assert.Contains("pd_vfp_port_packets_total{port=\"PORT-METRICS-1\",verdict=\"allowed\"} 3", scrape);
        Assert.Contains("pd_vfp_port_disabled{port=\"PORT-METRICS-1\"} 0", scrape);
    }

    [Fact]
    public void Two_nodes_in_one_process_each_scrape_only_their_own_meter()
    {
        var (first, second) = (new VfpPorts(), new VfpPorts());
        first.For("PORT-FIRST").Apply(VfpPolicy.FromRules([]));
        second.For("PORT-SECOND").Apply(VfpPolicy.FromRules([]));
        using var firstMetrics = new NodeMetrics([], first);
        using var secondMetrics = new NodeMetrics([], second);
        using var firstExporter = new PrometheusExporter(firstMetrics.Meter);
        using var secondExporter = new PrometheusExporter(secondMetrics.Meter);

        var (a, b) = (firstExporter.Scrape(), secondExporter.Scrape());

        Assert.Contains("port=\"PORT-FIRST\"", a);
        Assert.DoesNotContain("PORT-SECOND", a);
        Assert.Contains("port=\"PORT-SECOND\"", b);
        Assert.DoesNotContain("PORT-FIRST", b);
    }
}
