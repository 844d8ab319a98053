using PdCluster.Provider.AfPacket;
using PdCluster.Tests.Provider.Contract;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>The PDPI contract on AF_PACKET over a veth pair between two namespaces the test creates.</summary>
[NeedsVethHost]
public sealed class AfPacketProviderContractTests : ProviderContract
{
    protected override IProviderHarness CreateHarness() => new VethHarness();

    /// <summary>An AfPacketProvider on the device end; its OS path is the device's kernel stack, which AF_PACKET leaves every frame to.</summary>
    internal sealed class VethHarness() : VethProviderHarness(veth =>
        new AfPacketProvider(AfXdpProviderContractTests.VethHarness.Adapter(veth.DeviceInterface), new AfPacketAdapterOptions(veth.DeviceInterface), veth.Device))
    {
        /// <summary>The IPv4 datagrams the device's kernel stack took in.</summary>
        public override long OsPathPackets => VethPair.Snmp(Veth.Device, "Ip", "InReceives");
    }
}
