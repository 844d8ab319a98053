using System.Text.Json;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;

namespace PdCluster.Tests.Node;

/// <summary>A node's switch whose adapter is surprise-removed: it stops forwarding, says whose traffic stopped, and every buffer still comes home.</summary>
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

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never saw {what}");
            await Task.Delay(100);
        }
    }
}
