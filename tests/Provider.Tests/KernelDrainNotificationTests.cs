using PdCluster.Tests.Provider.Contract;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>Drain notification of AfXdpProvider: the queue thread sleeps on its AF_XDP socket.</summary>
[NeedsVethHost]
public sealed class AfXdpDrainNotificationTests : KernelDrainNotificationContract
{
    protected override IProviderHarness CreateHarness() => new AfXdpProviderContractTests.VethHarness();
}

/// <summary>Drain notification of AfPacketProvider: the queue thread sleeps on its packet socket.</summary>
[NeedsVethHost]
public sealed class AfPacketDrainNotificationTests : KernelDrainNotificationContract
{
    protected override IProviderHarness CreateHarness() => new AfPacketProviderContractTests.VethHarness();
}
