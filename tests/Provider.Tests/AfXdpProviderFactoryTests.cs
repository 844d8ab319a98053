using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>Provider <c>afxdp</c> from the registry, on an interface in a named network namespace.</summary>
public sealed class AfXdpProviderFactoryTests
{
    [VethFact]
    public void An_interface_in_a_namespace_binds_and_opens_with_its_own_mac()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        var options = new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace));
        using var adapter = PdProviderRegistry.Default.Get("afxdp").Bind(options);
        Assert.Equal(veth.DeviceInterface, adapter.Info.Name);
        Assert.Equal(VethPair.DeviceMac, adapter.Info.Mac);
        Assert.True(adapter.Events.Current.LinkUp);
        using (var provider = adapter.OpenProvider())
            Assert.True(provider.Capabilities.DrainNotification);
        var elsewhere = new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface));
        Assert.Equal($"pd0: there is no interface {veth.DeviceInterface}.", Assert.Throws<PdAdapterOptionsException>(() => PdProviderRegistry.Default.Get("afxdp").Describe(elsewhere)).Message);
    }
}
