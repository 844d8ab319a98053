using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Vfp;
using PdCluster.VSwitch;

namespace PdCluster.Tests.VSwitch;

/// <summary>The switch's and a VM port's duty cycles allocate nothing once warm, with traffic flowing both ways, floods, and VFP rules with the unified flow table.</summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public void Forwarding_between_the_wire_and_a_vm_port_allocates_nothing()
    {
        const ulong vmMac = 0x00_15_5d_00_00_01;
        using var pool = new BufferPool(8192, checkedMode: true);
        var external = new SoftNic(AdapterInfo.ConnectX3Pro("eth", 0x02_00_00_00_00_10));
        var tester = new SoftNic(AdapterInfo.ConnectX3Pro("wire", 0x02_00_00_00_00_01));
        Wire.Connect(tester, external);
        using var wire = new TrafficGenerator(tester, [
            new GeneratorFlow("198.18.0.1", "198.18.1.10", 17, 4000, 5000, DestinationMac: vmMac),
            new GeneratorFlow("198.18.0.1", "198.18.255.255", 17, 4000, 5000, DestinationMac: 0xFF_FF_FF_FF_FF_FF)]);
        var spec = SwitchLab.Spec("vm1", vmMac, 1);
        using var provider = new SimulatedProvider(external);
        var rx = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 512, pool), 1)[0];
        var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 512, pool));
        using var switchCache = pool.CreateCache(256);
        using var portCache = pool.CreateCache(64);
        var fabric = new SwitchFabric(rx, tx, switchCache, provider.OsPath);
        var port = new SwitchPort(spec.Port) { VfpEnabled = true };
        port.Vfp.Apply(VfpPolicy.FromRules([
            VfpRule.Read("""{"schemaVersion":1,"id":"udp-in","layer":"acl","group":"in","direction":"inbound","match":{"protocol":"udp","destinationPort":"5000"},"action":"allow"}""", "hot"),
            VfpRule.Read("""{"schemaVersion":1,"id":"tcp-in","layer":"acl","group":"in","direction":"inbound","match":{"protocol":"tcp"},"action":"block"}""", "hot"),
            VfpRule.Read("""{"schemaVersion":1,"id":"out","layer":"acl","group":"out","direction":"outbound","action":"allow"}""", "hot")]));
        var vm = new SimulatedVm(spec, [new GeneratorFlow("198.18.1.10", "198.18.0.1", 17, 5000, 4000, DestinationMac: 0x02_00_00_00_00_01)], 0);
        var link = new VmPortLink(port, vm, pool);
        var forwarder = new VmPortForwarder(port, link.Receive, link.Transmit, portCache);
        fabric.Attach(port);

        void Cycles(int n)
        {
            for (var i = 0; i < n; i++)
            {
                wire.Transmit(32);
                fabric.DoWork();
                forwarder.DoWork();
                fabric.DoWork();
                wire.Receive();
            }
        }

        Cycles(2000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Cycles(5000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(port.Counters.Inbound > 5000, $"only {port.Counters.Inbound} frames reached the VM");
        Assert.True(fabric.Flooded > 1000 && fabric.HandedToOs > 1000);
        var vfp = port.Vfp.Snapshot();
        Assert.True(vfp.FlowTable.Hits > 10_000, $"the flow table decided only {vfp.FlowTable.Hits} packets");
        Assert.True(vfp.Rules.Single(r => r.Rule == "udp-in").Counters.AllowedPackets > 5000);
        Assert.Equal(0, allocated);

        fabric.Quiesce(TimeSpan.FromSeconds(5));
        fabric.Detach(port, TimeSpan.FromSeconds(1));
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        link.Dispose();
        provider.ReleaseReceiveQueues();
        provider.FreeQueue(tx);
        switchCache.Dispose();
        portCache.Dispose();
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }
}
