using System.Collections.Concurrent;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.VSwitch.Store;
using Spectre.Console;

namespace PdCluster.Tests.Node;

/// <summary>
/// A node's switch whose adapter is surprise-removed: it stops forwarding, says whose traffic stopped (its status,
/// <c>/status</c>, list-ports), reopens when the adapter arrives again or at once on a team survivor, and every buffer
/// still comes home.
/// </summary>
public sealed class VSwitchRemovalNodeTests
{
    private const string Flows = """ "generator": { "rate": 20000, "flows": [ { "source": "198.18.2.10", "destination": "198.18.3.1", "protocol": "udp", "sourcePort": 1, "destinationPort": 2 } ] } """;
    private static readonly string LoneAdapters = TempConfig.Adapter("pd0") + "," + TempConfig.Adapter("pd1", $$""" "simulated": { "mac": "02:00:00:00:01:02", {{Flows}} }, """);

    [Fact]
    public Task Surprise_removal_of_the_switchs_adapter_stops_its_vms_traffic_and_says_so() => WithVmOnSwitch(LoneAdapters, "pd1", async (host, _) =>
    {
        Assert.Equal(InjectOutcome.Injected, host.Inject("pd1", DeviceEvent.SurpriseRemoval));
        await Eventually(async () => (await host.SwitchStatusAsync()).Single().AdapterFailure is not null, "the switch reporting its adapter removed");
        await Eventually(() => Task.FromResult(host.Errors.Lines.Any(l => l.Contains("switch sw: its adapter pd1 was surprise-removed; the traffic of VM(s) vm1 stopped"))),
            "the error naming vm1");
        var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
        await Task.Delay(500);
        Assert.Equal(toWire, (await host.SwitchStatusAsync()).Single().ToWire);
    });

    [Fact]
    public Task The_switchs_adapter_arriving_again_reopens_the_external_port_and_every_report_says_so() => WithVmOnSwitch(LoneAdapters, "pd1", async (host, catalog) =>
    {
        Assert.Equal("pd1", (await host.SwitchStatusAsync()).Single().ExternalAdapter);
        host.Inject("pd1", DeviceEvent.SurpriseRemoval);
        await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: not null, ExternalAdapter: null }, "the switch reporting its port down");
        await Eventually(async () => await External(catalog) is { Initialized: false, Down: not null }, "list-ports showing the external port down");
        Assert.Contains("the external port of VM switch sw, down: switch sw: its adapter pd1 was surprise-removed", Adapter(await host.StatusAsync(), "pd1").Error);
        // The node's table says it under the queues, as pd node run prints it.
        var down = NodeReport.Down(await host.SwitchStatusAsync());
        Assert.StartsWith("external port of VM switch sw down: switch sw: its adapter pd1 was surprise-removed", Assert.Single(down!));
        Assert.Contains("external port of VM switch sw down: switch sw: its adapter pd1 was surprise-removed", Table(NodeReport.Between(host, NodeReport.Sample(host), 1, 1) with { SwitchesDown = down }));
        var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
        await Task.Delay(300);
        Assert.Equal(toWire, (await host.SwitchStatusAsync()).Single().ToWire);

        var notes = new ConcurrentQueue<string>();
        host.System.EventStream.Subscribe(host.System.ActorOf(Props.Create(() => new NoticeCollector(notes)), "notes"), typeof(ActorNotice));
        host.Inject("pd1", DeviceEvent.Arrival);
        await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: null, ExternalAdapter: "pd1", ExternalReopens: 1 } s && s.ToWire > toWire + 100,
            "vm1's traffic to the wire again");
        await Eventually(async () => await External(catalog) is { Initialized: true, Down: null, NicName: "pd1" }, "list-ports showing the external port up");
        Assert.True(Adapter(await host.StatusAsync(), "pd1") is { State: AdapterState.Lent, Error: "the external port of VM switch sw" });
        Assert.True((await host.SwitchStatusAsync()).Single().Ports.Single() is { Initialized: true, Outbound: > 0 });
        Assert.Null(NodeReport.Down(await host.SwitchStatusAsync()));
        await Eventually(() => Task.FromResult(notes.Contains("switch sw: its external port reopened on pd1; the VMs' traffic flows again.")), "the reopen logged");
    });

    [Fact]
    public Task A_switch_on_a_team_moves_its_external_port_to_the_survivor_and_gives_both_members_back() => WithVmOnSwitch(
        TempConfig.Adapter("pd0", $$""" "team": "t0", "simulated": { "mac": "02:00:00:00:01:01", {{Flows}} }, """) + ","
            + TempConfig.Adapter("pd1", $$""" "team": "t0", "simulated": { "mac": "02:00:00:00:01:02", {{Flows}} }, """), "t0", async (host, catalog) =>
    {
        Assert.Equal("pd0", (await host.SwitchStatusAsync()).Single().ExternalAdapter);
        Assert.All((await host.StatusAsync()).Adapters, a => Assert.Equal(AdapterState.Lent, a.State));

        host.Inject("pd0", DeviceEvent.SurpriseRemoval);
        await Eventually(async () => (await host.SwitchStatusAsync()).Single() is { AdapterFailure: null, ExternalAdapter: "pd1" }, "the external port on pd1");
        var toWire = (await host.SwitchStatusAsync()).Single().ToWire;
        await Eventually(async () => (await host.SwitchStatusAsync()).Single().ToWire > toWire + 100, "vm1's traffic out of pd1");
        await Eventually(async () => Adapter(await host.StatusAsync(), "pd1").Error == "the external port of VM switch sw", "/status naming pd1 the external port");
        Assert.Equal("a standby of VM switch sw's external port (on pd1 now)", Adapter(await host.StatusAsync(), "pd0").Error);
        await Eventually(async () => await External(catalog) is { Initialized: true, NicName: "pd1" }, "list-ports showing the port on pd1");

        host.Inject("pd0", DeviceEvent.Arrival);
        await catalog.SetRunningAsync("vm1", false, CancellationToken.None);
        await catalog.RemoveSwitchAsync("sw", CancellationToken.None);
        await Eventually(async () => (await host.StatusAsync()).Adapters.All(a => a.State == AdapterState.Running), "both members back on the node's own queues");
    });

    /// <summary>
    /// Runs a node with <paramref name="adapters"/>, a switch on <paramref name="switchAdapter"/> and VM vm1 sending
    /// through it to the wire, then <paramref name="test"/>; every buffer must be home after the node stops.
    /// </summary>
    private static async Task WithVmOnSwitch(string adapters, string switchAdapter, Func<NodeHost, IVSwitchCatalog, Task> test)
    {
        using var config = new TempConfig(adapters);
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var catalog = ((INodeAdmin)host).VSwitches;
            await catalog.CreateSwitchAsync("sw", switchAdapter, false, CancellationToken.None);
            await catalog.AddAdapterAsync("vm1", "sw", "00:15:5d:00:00:01", CancellationToken.None);
            await catalog.SetRunningAsync("vm1", true, CancellationToken.None);
            await Eventually(async () => (await host.SwitchStatusAsync()).SingleOrDefault() is { ToWire: > 0 } s && s.Ports.SingleOrDefault() is { Outbound: > 0 },
                "vm1's traffic through the switch to the wire");
            await test(host, catalog);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    private sealed class NoticeCollector(ConcurrentQueue<string> notes) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is ActorNotice notice)
                notes.Enqueue(notice.Message);
        }
    }

    private static string Table(NodeReport report)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        report.WriteTable(console);
        return output.ToString();
    }

    private static async Task<PortListing> External(IVSwitchCatalog catalog) => (await catalog.ListPortsAsync(CancellationToken.None)).Single(p => p.Type == "External");

    private static AdapterStatus Adapter(NodeStatus status, string name) => status.Adapters.Single(a => a.Adapter == name);

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
