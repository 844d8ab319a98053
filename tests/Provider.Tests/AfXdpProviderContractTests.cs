using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Contract;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>The PDPI contract on AF_XDP over a veth pair between two namespaces the test creates.</summary>
[NeedsVethHost]
public sealed class AfXdpProviderContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new VethHarness();

    /// <summary>An AfXdpProvider on the device end of a fresh veth pair; the peer end offers frames through AF_PACKET.</summary>
    internal sealed class VethHarness(BufferPool? pool = null) : VethProviderHarness(veth =>
        new AfXdpProvider(Adapter(veth.DeviceInterface), new AfXdpAdapterOptions(veth.DeviceInterface), veth.Device), pool)
    {
        /// <summary>What the device's kernel stack took in: IPv4 datagrams on the veth, whether passed by XDP or reinjected through the OS path.</summary>
        public override long OsPathPackets => VethPair.Snmp(Veth.Device, "Ip", "InReceives");

        internal static AdapterInfo Adapter(string name) => new(
            name, VethPair.DeviceMac, LinkType.Ethernet, default, "veth", "veth", "1.0", "", 1, 1, 4096, 10_000);
    }
}

/// <summary>The PDPI contract on AF_XDP with the UMEM in aligned chunk mode: a pool whose buffers are 2,048 bytes apart.</summary>
[NeedsVethHost]
public sealed class AfXdpAlignedUmemContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new AfXdpProviderContractTests.VethHarness(new BufferPool(1024, checkedMode: true, alignedStride: true));
}
