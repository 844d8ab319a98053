using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>Providers <c>afpacket</c> and <c>auto</c> from the registry, on an interface in a named network namespace.</summary>
public sealed class AfPacketProviderFactoryTests
{
    [VethFact]
    public void An_afpacket_interface_binds_and_opens_and_says_which_filter_fields_run_in_the_kernel()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var adapter = PdProviderRegistry.Default.Get("afpacket").Bind(Options(veth));
        Assert.Equal(VethPair.DeviceMac, adapter.Info.Mac);
        Assert.True(adapter.Events.Current.LinkUp);
        Assert.Equal([MatchField.EtherType, MatchField.SourceIp, MatchField.DestinationIp, MatchField.Protocol, MatchField.SourcePort, MatchField.DestinationPort], adapter.Info.KernelFilterFields);
        Assert.Equal(Enum.GetValues<MatchField>().Length, adapter.Info.KernelFilterFields!.Count + adapter.Info.SoftwareFilterFields!.Count);
        Assert.Contains(MatchField.VlanId, adapter.Info.SoftwareFilterFields);
        using (var provider = adapter.OpenProvider())
        {
            Assert.IsType<AfPacketProvider>(provider);
            Assert.True(provider.Capabilities.OsReceivesEveryFrame);
        }
        var elsewhere = new PdAdapterOptions("pd0", PdRequirements.Default, AfPacket: new AfPacketAdapterOptions(veth.DeviceInterface));
        Assert.Equal($"pd0: there is no interface {veth.DeviceInterface}.", Assert.Throws<PdAdapterOptionsException>(() => PdProviderRegistry.Default.Get("afpacket").Describe(elsewhere)).Message);
    }

    [VethFact]
    public void Auto_takes_af_xdp_where_it_attaches_and_af_packet_where_the_xdp_slot_is_taken()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        var auto = PdProviderRegistry.Default.Get("auto");
        Assert.Equal("afxdp", auto.Describe(Options(veth)).ChosenProvider);
        using (var adapter = auto.Bind(Options(veth)))
        {
            Assert.Equal("afxdp", adapter.Info.ChosenProvider);
            using var provider = adapter.OpenProvider();
            Assert.IsType<AfXdpProvider>(provider);
        }

        using var holder = new AfXdpProvider(AfXdpProviderContractTests.VethHarness.Adapter(veth.DeviceInterface), new AfXdpAdapterOptions(veth.DeviceInterface), veth.Device);
        Assert.NotNull(AutoProviderFactory.AfXdpUnavailable(Options(veth), trial: true));
        using (var adapter = auto.Bind(Options(veth)))
        {
            Assert.Equal("afpacket", adapter.Info.ChosenProvider);
            Assert.NotNull(adapter.Info.KernelFilterFields);
            using var provider = adapter.OpenProvider();
            Assert.IsType<AfPacketProvider>(provider);
        }
    }

    private static PdAdapterOptions Options(VethPair veth) => new("pd0", PdRequirements.Default,
        AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace), AfPacket: new AfPacketAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace));
}
