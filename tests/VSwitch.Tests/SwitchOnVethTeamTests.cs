using PdCluster.Actors.Kernel;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Actors;
using PdCluster.Tests.Provider.Veth;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// A switch on a team of two veth adapters in one host namespace, both wired to a Linux bridge (the upstream fabric)
/// in a namespace of its own (<see cref="TeamVeth"/>). <c>ip link del</c> of the member carrying the external port moves the port to the
/// survivor, which announces the VMs' MACs (a gratuitous ARP for a VM with an address, a RARP request for one without)
/// on its link; the VMs' traffic flows again under the same VFP state. The removed member added again stands by
/// instead of taking the port back, and takes it when the survivor goes in its turn.
/// </summary>
public sealed class SwitchOnVethTeamTests
{
    private const ulong Vm1Mac = 0x00_15_5d_00_00_01;
    private const ulong Vm2Mac = 0x00_15_5d_00_00_02;
    private const uint Vm1Address = 198u << 24 | 18u << 16 | 1u << 8 | 11u;

    [VethFact]
    public async Task Ip_link_del_of_the_carrying_member_moves_the_external_port_to_the_survivor_which_announces_the_vms_and_keeps_their_vfp_state()
    {
        HostPrerequisite.Require();
        using var wire = new TeamVeth();
        using var pool = new BufferPool(4096, checkedMode: true);
        var system = ActorSystem.Create("vswitch-veth-team");
        var vfp = new VfpPorts();
        using var a = Member(wire, wire.InterfaceA);
        using var b = Member(wire, wire.InterfaceB);
        // VM 1 has an address on the link, VM 2 none.
        var host = new NamespaceVmHost(wire.DeviceNamespace, spec => spec.Port.PortId == 1 ? "198.18.1.11/15" : null);
        var settings = new SwitchSettings("sw", a, pool, host, VfpEnabled: true) { QueueSize = 512, VfpPorts = vfp, Standby = [b] };
        var sw = system.ActorOf(SwitchSupervisor.Props(settings), "vswitch-sw");
        var tag = Environment.ProcessId % 100000;
        var (vm1, vm2) = (SwitchLab.Spec($"m{tag}", Vm1Mac, 1), SwitchLab.Spec($"n{tag}", Vm2Mac, 2));
        try
        {
            vfp.For(vm1.Port.PortName).Apply(VfpPolicy.FromRules(
            [
                VfpRulesThroughTheStoreTests.Rule("no-udp", "acl", "in", "inbound", """{"protocol":"udp"}""", "block"),
                VfpRulesThroughTheStoreTests.Rule("in-rest", "acl", "in", "inbound", null, "allow", priority: 10),
                VfpRulesThroughTheStoreTests.Rule("out", "acl", "out", "outbound", null, "allow"),
            ]));
            Assert.IsType<VmStarted>(await sw.Ask<object>(new StartVm(vm1), TimeSpan.FromSeconds(20)));
            Assert.IsType<VmStarted>(await sw.Ask<object>(new StartVm(vm2), TimeSpan.FromSeconds(20)));
            sw.Tell(new SetPortDisabled(vm2.Port.PortName, true));
            Assert.True(Ping(vm1), "VM 1 does not reach the fabric through its rules");
            Assert.Equal(wire.InterfaceA, (await SwitchLab.StatusOf(sw)).ExternalAdapter);

            using (var capture = new PacketCapture(wire.Peer, wire.PortB))
            {
                wire.DeleteA();
                await SwitchLab.Until(async () => (await SwitchLab.StatusOf(sw)) is { AdapterFailure: null, ExternalReopens: 1 } s && s.ExternalAdapter == wire.InterfaceB,
                    "the external port on the survivor");
                bool arp = false, rarp = false;
                Assert.True(capture.Await(frame =>
                {
                    arp |= GratuitousArp.TryRead(frame, out var mac, out var address) && mac == Vm1Mac && address == Vm1Address;
                    rarp |= frame.Length >= 14 && frame[12] == 0x80 && frame[13] == 0x35 && Mac(frame[6..12]) == Vm2Mac;
                    return arp && rarp;
                }, TimeSpan.FromSeconds(10)), $"the survivor's link did not carry the VMs' announcements (gratuitous ARP of VM 1: {arp}, RARP of VM 2: {rarp})");
            }

            Assert.True(Ping(vm1), "VM 1 does not reach the fabric through the survivor");
            var ports = (await SwitchLab.StatusOf(sw)).Ports;
            Assert.True(ports.Single(p => p.Identity.VmName == vm1.Name) is { Initialized: true, RuleCount: 3, Disabled: false });
            Assert.True(ports.Single(p => p.Identity.VmName == vm2.Name) is { Initialized: true, Disabled: true, Blocked: false });
            VethPair.Run("ip", $"netns exec {wire.PeerNamespace} bash -c \"echo x > /dev/udp/198.18.1.11/9\"");
            await SwitchLab.Until(() => Task.FromResult(vfp.Find(vm1.Port.PortName)!.Snapshot().Rules.Single(r => r.Rule == "no-udp").Counters.BlockedPackets > 0),
                "the UDP rule blocking the fabric's datagram on the survivor");

            // The removed member back stands by: the survivor keeps the port, until it goes in its turn.
            wire.AddA();
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True((await SwitchLab.StatusOf(sw)) is { ExternalReopens: 1 } s1 && s1.ExternalAdapter == wire.InterfaceB, "the member back took the port from the serving survivor");
            Assert.True(Ping(vm1), "VM 1 lost the fabric when the removed member came back");
            wire.DeleteB();
            await SwitchLab.Until(async () => (await SwitchLab.StatusOf(sw)) is { AdapterFailure: null, ExternalReopens: 2 } s && s.ExternalAdapter == wire.InterfaceA,
                "the external port back on the member that arrived again");
            Assert.True(Ping(vm1), "VM 1 does not reach the fabric through the member that arrived again");
        }
        finally
        {
            await sw.GracefulStop(TimeSpan.FromSeconds(20));
            await system.Terminate();
        }
        Assert.DoesNotContain($"pdvm-{vm1.Name}", VethPair.Run("ip", "netns list").Output);
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }

    /// <summary>The afpacket adapter on <paramref name="device"/>, a member's interface.</summary>
    private static PdAdapter Member(TeamVeth wire, string device) => PdProviderRegistry.Default.Get("afpacket").Bind(new PdAdapterOptions(device, PdRequirements.Default,
        AfPacket: new AfPacketAdapterOptions(device, wire.DeviceNamespace)));

    private static ulong Mac(ReadOnlySpan<byte> bytes)
    {
        ulong mac = 0;
        foreach (var b in bytes)
            mac = mac << 8 | b;
        return mac;
    }

    private static bool Ping(VmSpec vm) => VethPair.Run("ip", $"netns exec pdvm-{vm.Name} ping -c 3 -i 0.2 -W 1 198.18.0.1").Code == 0;
}
