using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;

namespace PdCluster.Tests.Provider;

public sealed class ProviderRegistryTests
{
    private static PdAdapterOptions Simulated(AdapterInfo info, params GeneratorFlow[] flows) =>
        new(info.Name, PdRequirements.Default, new SimulatedAdapterOptions(info, flows, RatePps: 0));

    [Fact]
    public void Providers_are_found_by_name_and_an_unknown_name_lists_the_known_ones()
    {
        Assert.Contains("simulated", PdProviderRegistry.Default.Names);
        Assert.IsType<SimulatedProviderFactory>(PdProviderRegistry.Default.Get("simulated"));
        var e = Assert.Throws<PdAdapterOptionsException>(() => PdProviderRegistry.Default.Get("dpdk"));
        Assert.Contains("'dpdk' is not a provider", e.Message);
        Assert.Contains("simulated", e.Message);
        Assert.IsType<AfXdpProviderFactory>(PdProviderRegistry.Default.Get("afxdp"));
    }

    [Fact]
    public void An_afxdp_adapter_without_an_interface_or_with_a_missing_one_is_refused_by_name()
    {
        var factory = PdProviderRegistry.Default.Get("afxdp");
        var none = Assert.Throws<PdAdapterOptionsException>(() => factory.Bind(new PdAdapterOptions("pd0", PdRequirements.Default)));
        Assert.Equal("pd0: provider afxdp needs an \"interface\".", none.Message);
        var missing = Assert.Throws<PdAdapterOptionsException>(() => factory.Describe(new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions("pdnosuch0"))));
        Assert.Equal("pd0: there is no interface pdnosuch0.", missing.Message);
    }

    [Fact]
    public void A_bound_simulated_adapter_opens_a_provider_takes_injected_events_and_carries_its_lab()
    {
        var info = AdapterInfo.ConnectX3Pro("pd9", 0x02_00_00_00_00_09);
        using var adapter = PdProviderRegistry.Default.Get("simulated").Bind(Simulated(info, new GeneratorFlow("198.18.0.1", "198.18.1.1", 17, 1, 2)));
        Assert.Equal(info, adapter.Info);
        Assert.NotNull(adapter.Traffic);
        var events = new List<DeviceEvent>();
        using var subscription = adapter.Events.Subscribe(events.Add);
        adapter.Injector!.Inject(DeviceEvent.LinkDown);
        Assert.Equal([DeviceEvent.LinkDown], events);
        using var provider = adapter.OpenProvider();
        Assert.Equal("pd9", provider.Adapter.Name);
    }

    [Fact]
    public void A_simulated_adapter_without_its_port_is_refused_by_name()
    {
        var e = Assert.Throws<PdAdapterOptionsException>(() => new SimulatedProviderFactory().Bind(new PdAdapterOptions("pd3", PdRequirements.Default)));
        Assert.Contains("pd3", e.Message);
    }

    [Fact]
    public void Opening_a_provider_checks_pd_requirements()
    {
        var ib = new SoftNic(AdapterInfo.ConnectX3Pro("ib0", 9) with { LinkType = LinkType.InfiniBand });
        var e = Assert.Throws<PdNotSupportedException>(() => new SimulatedProvider(ib));
        Assert.Contains("PacketDirect is supported only on Ethernet ports", e.Message);
    }

    [Fact]
    public void Reinjected_packets_reach_the_os_path_hook_and_counters_and_stay_the_callers()
    {
        var nic = new SoftNic(AdapterInfo.ConnectX3Pro("pd0", 2));
        var seen = new List<int>();
        nic.OsPath = (frame, _) => seen.Add(frame.Length);
        using var provider = new SimulatedProvider(nic);
        using var pool = new BufferPool(8);
        Span<int> handles = stackalloc int[2];
        Assert.Equal(2, pool.TryAllocate(handles));
        foreach (var h in handles)
            pool.Descriptor(h).DataLength = 60;
        provider.OsPath.Reinject(pool, handles);
        Assert.Equal([60, 60], seen);
        Assert.Equal(2, nic.ReinjectedPackets);
        Assert.Equal(2, nic.OsPathPackets);
        pool.Return(handles);
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }
}
