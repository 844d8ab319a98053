using PdCluster.Node.Configuration;

namespace PdCluster.Tests.Node;

public sealed class ConfigTests
{
    [Fact]
    public void The_shipped_and_embedded_configs_load()
    {
        var embedded = NodeConfigLoader.Load(null);
        Assert.Equal("node-1", embedded.Config.Node);
        Assert.Equal(3, embedded.Filters.Count);
        var shipped = NodeConfigLoader.Load(Path.Combine(AppContext.BaseDirectory, "../../../../../cluster-config/node.json"));
        Assert.Equal(embedded.Config.Adapters[0].Queues, shipped.Config.Adapters[0].Queues);
        Assert.Equal(64, shipped.Config.Adapters[0].Burst);
        Assert.Equal(embedded.Filters.Select(f => f.Id), shipped.Filters.Select(f => f.Id));
    }

    [Fact]
    public void The_embedded_default_sends_the_walkthrough_vm_udp_to_ports_53_and_5001_and_the_shipped_vip_rule_reads()
    {
        var pd1 = NodeConfigLoader.Load(null).Config.Adapters.Single(a => a.Name == "pd1");
        var toVm = pd1.Simulated!.Generator!.Flows.Where(f => f.DestinationMac == "00:15:5d:00:00:01").ToList();
        Assert.Equal([("udp", (ushort)53), ("udp", (ushort)5001)], toVm.Select(f => (f.Protocol, f.DestinationPort)));
        var vip = Path.Combine(AppContext.BaseDirectory, "../../../../../cluster-config/vfp/vip.json");
        var rule = PdCluster.Vfp.VfpRule.Read(File.ReadAllText(vip), vip);
        Assert.Equal(("dns-vip", "10-nat"), (rule.Id, rule.Layer));
    }

    [Fact]
    public void Without_a_burst_a_small_ring_takes_half_its_size()
    {
        using var small = new TempConfig(TempConfig.Adapter("pd0", "\"queueSize\": 16, \"buffers\": 2048,"));
        var adapter = NodeConfigLoader.Load(small.Path).Config.Adapters[0];
        Assert.Null(adapter.Burst);
        Assert.Equal(8, adapter.BurstInForce());
        using var large = new TempConfig(TempConfig.Adapter("pd0", "\"queueSize\": 1024, \"buffers\": 8192,"));
        Assert.Equal(64, NodeConfigLoader.Load(large.Path).Config.Adapters[0].BurstInForce());
    }

    [Theory]
    [InlineData("\"queues\": 40,", "adapters[0].queues: must be between 1 and 16 (got 40)")]
    [InlineData("\"queueSize\": 1000,", "adapters[0].queueSize: must be a power of two")]
    [InlineData("\"burst\": 0,", "adapters[0].burst: must be between 1 and 256")]
    [InlineData("\"queueSize\": 64, \"burst\": 64,", "adapters[0].burst: must be between 1 and 256 and at most half of the smaller of queueSize and receiveQueueSize (32) (got 64)")]
    [InlineData("\"provider\": \"dpdk\",", "adapters[0].provider: 'dpdk' is not a provider")]
    [InlineData("\"queus\": 2,", "queus")]
    public void Bad_adapter_settings_name_the_file_and_key(string extra, string expected)
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0", extra));
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.StartsWith(config.Path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Admin_endpoint_must_be_loopback()
    {
        using var config = new TempConfig();
        File.WriteAllText(config.Path, File.ReadAllText(config.Path).Replace($"127.0.0.1:{config.Port}", "0.0.0.0:9470"));
        Assert.Contains("admin.listen", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message);
    }

    [Fact]
    public void Bad_filters_file_is_named()
    {
        using var config = new TempConfig(extra: "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), """[{"id":"x","match":{"destinationPort":"99999"}}]""");
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.Equal($"{Path.Combine(config.Directory, "filters.json")}: [0].match.destinationPort (filter 'x'): 99999 does not fit in 16 bits (0 to 65535).", e.Message);
    }

    [Fact]
    public void Duplicate_adapters_and_steering_to_missing_queues_are_refused()
    {
        using var twice = new TempConfig(TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd0"));
        Assert.Contains("appears twice", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(twice.Path)).Message);

        using var steering = new TempConfig(extra: "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(steering.Directory, "filters.json"), """[{"id":"far","queue":5}]""");
        Assert.Contains("steers to queue 5", Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(steering.Path)).Message);
    }
}
