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

    [VethFact]
    public void A_program_libbpf_cannot_read_is_refused_with_libbpfs_own_reason()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        var program = Path.Combine(Path.GetTempPath(), $"pd-not-bpf-{Environment.ProcessId}.o");
        File.WriteAllText(program, "not an ELF object");
        try
        {
            var options = new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(veth.DeviceInterface, veth.DeviceNamespace, program));
            using var adapter = PdProviderRegistry.Default.Get("afxdp").Bind(options);
            var refused = Assert.Throws<PdException>(() => adapter.OpenProvider());
            Assert.StartsWith($"Loading {program} failed: ", refused.Message);
            Assert.Contains("(libbpf: ", refused.Message);
        }
        finally
        {
            File.Delete(program);
        }
    }
}
