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
    public void Auto_takes_af_xdp_where_it_attaches_af_packet_beside_another_program_and_neither_beside_a_live_pd_provider()
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

        // Another program in the XDP slot: auto runs the adapter on AF_PACKET beside it.
        VethPair.Ip($"-n {veth.DeviceNamespace} link set dev {veth.DeviceInterface} xdpgeneric obj {Path.Combine(AppContext.BaseDirectory, "pd_xdp.o")} sec xdp");
        Assert.NotNull(AutoProviderFactory.AfXdpUnavailable(Options(veth), trial: true));
        using (var adapter = auto.Bind(Options(veth)))
        {
            Assert.Equal("afpacket", adapter.Info.ChosenProvider);
            Assert.NotNull(adapter.Info.KernelFilterFields);
            using var provider = adapter.OpenProvider();
            Assert.IsType<AfPacketProvider>(provider);
        }
        VethPair.Ip($"-n {veth.DeviceNamespace} link set dev {veth.DeviceInterface} xdpgeneric off");

        // A live PD afxdp provider in it: its program takes the frames before any packet socket, so AF_PACKET is refused too.
        using var holder = new AfXdpProvider(AfXdpProviderContractTests.VethHarness.Adapter(veth.DeviceInterface), new AfXdpAdapterOptions(veth.DeviceInterface), veth.Device);
        using (var adapter = auto.Bind(Options(veth)))
        {
            Assert.Equal("afpacket", adapter.Info.ChosenProvider);
            Assert.Equal(PdStatus.Busy, Assert.Throws<PdException>(() => adapter.OpenProvider()).Status);
        }
    }

    private static PdAdapterOptions Options(VethPair veth) => new("pd0", PdRequirements.Default,
        AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace), AfPacket: new AfPacketAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace));
}
