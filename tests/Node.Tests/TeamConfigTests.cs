using PdCluster.Node.Configuration;

namespace PdCluster.Tests.Node;

/// <summary>Teams in node.json (<c>adapters[].team</c>, <c>adapters[].addresses</c>): what loads, and each refusal naming the file, key and problem.</summary>
public sealed class TeamConfigTests
{
    private static string Simulated(string name, string mac, string extra) =>
        TempConfig.Adapter(name, $$"""{{extra}} "simulated": { "mac": "{{mac}}" },""");

    private static string Veth(string name, string device, string extra) =>
        $$"""{ "name": "{{name}}", "provider": "afpacket", "interface": "{{device}}", "queues": 1, "queueSize": 256, "buffers": 1024, {{extra}} }""";

    [Fact]
    public void A_team_of_two_simulated_adapters_with_addresses_loads()
    {
        using var config = new TempConfig(Simulated("pd0", "02:00:00:00:00:02", "\"team\": \"t0\", \"addresses\": [\"198.18.1.1\"],") + ","
            + Simulated("pd1", "02:00:00:00:00:03", "\"team\": \"t0\", \"addresses\": [\"198.18.1.2\", \"2001:2::3\"],"));
        var adapters = NodeConfigLoader.Load(config.Path).Config.Adapters;
        Assert.All(adapters, a => Assert.Equal("t0", a.Team));
        Assert.Equal(["198.18.1.2", "2001:2::3"], adapters[1].Addresses!);
    }

    [Theory]
    [InlineData("\"team\": \"t0\",", "", "adapters[0].team: team 't0' has only pd0; a team is two or more adapters of the node.")]
    [InlineData("\"team\": \"t 0\",", "", "adapters[0].team: 't 0' is not a team name")]
    [InlineData("\"addresses\": [\"198.18.1.1\"],", "", "adapters[0].addresses: is for an adapter in a team (adapters[].team)")]
    [InlineData("\"team\": \"t0\", \"addresses\": [\"198.18.1\"],", "\"team\": \"t0\",", "adapters[0].addresses[0]: '198.18.1' is not a unicast IPv4 or IPv6 address such as 198.18.1.1 or 2001:2::1.")]
    [InlineData("\"team\": \"t0\", \"addresses\": [\"ff02::1\"],", "\"team\": \"t0\",", "adapters[0].addresses[0]: 'ff02::1' is not a unicast IPv4 or IPv6 address")]
    [InlineData("\"team\": \"t0\", \"addresses\": [\"fe80::1%2\"],", "\"team\": \"t0\",", "adapters[0].addresses[0]: 'fe80::1%2' is not a unicast IPv4 or IPv6 address")]
    [InlineData("\"team\": \"t0\", \"addresses\": [\"224.0.0.1\"],", "\"team\": \"t0\",", "adapters[0].addresses[0]: '224.0.0.1' is not a unicast IPv4 or IPv6 address")]
    [InlineData("\"team\": \"t0\", \"addresses\": [\"198.18.1.1\"],", "\"team\": \"t0\", \"addresses\": [\"198.18.1.1\"],", "adapters[1].addresses[0]: 198.18.1.1 is already adapters[0]'s address; an address belongs to one adapter.")]
    public void A_bad_team_is_refused_naming_the_key(string first, string second, string expected)
    {
        using var config = new TempConfig(Simulated("pd0", "02:00:00:00:00:02", first) + "," + Simulated("pd1", "02:00:00:00:00:03", second));
        var e = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path));
        Assert.StartsWith(config.Path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_simulated_adapter_cannot_team_with_a_linux_interface()
    {
        using var config = new TempConfig(Simulated("pd0", "02:00:00:00:00:02", "\"team\": \"t0\",") + "," + Veth("pd1", "lo", "\"team\": \"t0\""));
        Assert.Contains("adapters[1].team: pd1 (provider afpacket) cannot team with pd0 (provider simulated): a team is all simulated adapters or all Linux interfaces",
            Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message);
    }

    [Fact]
    public void Members_in_different_namespaces_cannot_team()
    {
        using var config = new TempConfig(Veth("pd0", "lo", "\"team\": \"t0\"") + "," + Veth("pd1", "lo", "\"team\": \"t0\", \"namespace\": \"elsewhere\""));
        Assert.Contains("adapters[1].team: pd1 is in namespace 'elsewhere' and pd0 in the node's own namespace: a team's interfaces share one network namespace",
            Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message);
    }

    [Fact]
    public void Members_of_different_link_types_cannot_team()
    {
        using var config = new TempConfig(Simulated("pd0", "02:00:00:00:00:02", "\"team\": \"t0\",") + ","
            + TempConfig.Adapter("pd1", """ "team": "t0", "simulated": { "mac": "02:00:00:00:00:03", "linkType": "InfiniBand" }, """));
        Assert.Contains("adapters[1].team: pd1 (InfiniBand) cannot team with pd0 (Ethernet): a team's members have one link type.",
            Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message);
    }
}
