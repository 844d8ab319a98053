using System.Text.Json;
using PdCluster.Actors.Framework;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>
/// A node's switch whose adapter is surprise-removed: it stops forwarding, says whose traffic stopped (its status,
/// <c>/status</c>, list-ports), reopens when the adapter arrives again or at once on a team survivor, and every buffer
/// still comes home.
/// </summary>
public sealed class VSwitchRemovalNodeTests
{
    [Fact]
    public async Task Surprise_removal_of_the_switchs_adapter_stops_its_vms_traffic_and_says_so()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd1", "\"simulated\": { \"mac\": \"02:00:00:00:01:02\", \"generator\": { \"rate\": 20000, \"flows\": [ { \"source\": \"198.18.2.10\", \"destination\": \"198.18.3.1\", \"protocol\": \"udp\", \"sourcePort\": 1, \"destinationPort\": 2 } ] } },"));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var catalog = ((INodeAdmin)host).VSwitches;
            await catalog.CreateSwitchAsync("sw", "pd1", false, CancellationToken.None);
            await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", CancellationToken.None);
            await catalog.SetRunningAsync("vm1", true, CancellationToken.None);
            await Eventually(async () => (await host.SwitchStatusAsync()).SingleOrDefault()?.Ports.SingleOrDefault() is { Outbound: > 0 }, "vm1's traffic through the switch");

            Assert.Equal(InjectOutcome.Injected, host.Inject("pd1", PdCluster.Nic.Adapters.DeviceEvent.SurpriseRemoval));
            await Eventually(async () => (await host.SwitchStatusAsync()).Single().AdapterFailure is not null, "the switch reporting its adapter removed");
            await Eventually(() => Task.FromResult(host.Errors.Lines.Any(l => l.Contains("switch sw: its adapter pd1 was surprise-removed; the traffic of VM(s) vm1 stopped"))),
                "the error naming vm1");
            var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
            await Task.Delay(500);
            Assert.Equal(toWire, (await host.SwitchStatusAsync()).Single().ToWire);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Fact]
    public async Task The_switchs_adapter_arriving_again_reopens_the_external_port_and_every_report_says_so()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd1", "\"simulated\": { \"mac\": \"02:00:00:00:01:02\", \"generator\": { \"rate\": 20000, \"flows\": [ { \"source\": \"198.18.2.10\", \"destination\": \"198.18.3.1\", \"protocol\": \"udp\", \"sourcePort\": 1, \"destinationPort\": 2 } ] } },"));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var catalog = ((INodeAdmin)host).VSwitches;
            await catalog.CreateSwitchAsync("sw", "pd1", false, CancellationToken.None);
            await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", CancellationToken.None);
            await catalog.SetRunningAsync("vm1", true, CancellationToken.None);
            await Eventually(async () => (await host.SwitchStatusAsync()).SingleOrDefault() is { ToWire: > 0, ExternalAdapter: "pd1" }, "vm1's traffic to the wire");

            host.Inject("pd1", PdCluster.Nic.Adapters.DeviceEvent.SurpriseRemoval);
            await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: not null, ExternalAdapter: null }, "the switch reporting its port down");
            await Eventually(async () => (await catalog.ListPortsAsync(CancellationToken.None)).Single(p => p.Type == "External") is { Initialized: false, Down: not null },
                "list-ports showing the external port down", async () => System.Text.Json.JsonSerializer.Serialize(await catalog.ListPortsAsync(CancellationToken.None)));
            Assert.Contains("the external port of VM switch sw, down: switch sw: its adapter pd1 was surprise-removed", Adapter(await host.StatusAsync(), "pd1").Error);
            var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
            await Task.Delay(300);
            Assert.Equal(toWire, (await host.SwitchStatusAsync()).Single().ToWire);

            host.Inject("pd1", PdCluster.Nic.Adapters.DeviceEvent.Arrival);
            await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: null, ExternalAdapter: "pd1", ExternalReopens: 1 } s && s.ToWire > toWire + 100,
                "vm1's traffic to the wire again");
            await Eventually(async () => (await catalog.ListPortsAsync(CancellationToken.None)).Single(p => p.Type == "External") is { Initialized: true, Down: null, NicName: "pd1" },
                "list-ports showing the external port up");
            Assert.True(Adapter(await host.StatusAsync(), "pd1") is { State: AdapterState.Lent, Error: "the external port of VM switch sw" });
            Assert.True((await host.SwitchStatusAsync()).Single().Ports.Single() is { Initialized: true, Outbound: > 0 });
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Fact]
    public async Task A_switch_on_a_team_moves_its_external_port_to_the_survivor_and_gives_both_members_back()
    {
        const string flows = """ "generator": { "rate": 20000, "flows": [ { "source": "198.18.2.10", "destination": "198.18.3.1", "protocol": "udp", "sourcePort": 1, "destinationPort": 2 } ] } """;
        using var config = new TempConfig(TempConfig.Adapter("pd0", $$""" "team": "t0", "simulated": { "mac": "02:00:00:00:01:01", {{flows}} }, """) + ","
            + TempConfig.Adapter("pd1", $$""" "team": "t0", "simulated": { "mac": "02:00:00:00:01:02", {{flows}} }, """));
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var catalog = ((INodeAdmin)host).VSwitches;
            await catalog.CreateSwitchAsync("sw", "t0", false, CancellationToken.None);
            await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", CancellationToken.None);
            await catalog.SetRunningAsync("vm1", true, CancellationToken.None);
            await Eventually(async () => (await host.SwitchStatusAsync()).SingleOrDefault() is { ToWire: > 0, ExternalAdapter: "pd0" }, "vm1's traffic out of pd0",
                async () => System.Text.Json.JsonSerializer.Serialize(await host.SwitchStatusAsync()) + string.Join("\n", host.Errors.Lines) + System.Text.Json.JsonSerializer.Serialize((await host.StatusAsync()).Adapters.Select(a => $"{a.Adapter} {a.State} {a.Error}")));
            Assert.All((await host.StatusAsync()).Adapters, a => Assert.Equal(AdapterState.Lent, a.State));

            host.Inject("pd0", PdCluster.Nic.Adapters.DeviceEvent.SurpriseRemoval);
            await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: null, ExternalAdapter: "pd1" }, "the external port on pd1");
            var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
            await Eventually(async () => (await host.SwitchStatusAsync()).Single().ToWire > toWire + 100, "vm1's traffic out of pd1");
            await Eventually(async () => Adapter(await host.StatusAsync(), "pd1").Error == "the external port of VM switch sw", "/status naming pd1 the external port");
            Assert.Equal("a standby of VM switch sw's external port (on pd1 now)", Adapter(await host.StatusAsync(), "pd0").Error);
            await Eventually(async () => (await catalog.ListPortsAsync(CancellationToken.None)).Single(p => p.Type == "External") is { Initialized: true, NicName: "pd1" },
                "list-ports showing the port on pd1");

            host.Inject("pd0", PdCluster.Nic.Adapters.DeviceEvent.Arrival);
            await catalog.SetRunningAsync("vm1", false, CancellationToken.None);
            await catalog.RemoveSwitchAsync("sw", CancellationToken.None);
            await Eventually(async () => (await host.StatusAsync()).Adapters.All(a => a.State == AdapterState.Running), "both members back on the node's own queues");
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    private static AdapterStatus Adapter(NodeStatus status, string name) => status.Adapters.Single(a => a.Adapter == name);

    private static async Task Eventually(Func<Task<bool>> condition, string what, Func<Task<string>>? seen = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"never saw {what}{(seen is null ? "" : $"; saw {await seen()}")}");
            await Task.Delay(100);
        }
    }
}
