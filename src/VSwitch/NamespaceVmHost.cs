namespace PdCluster.VSwitch;

/// <summary>
/// Runs VMs as network namespaces on this Linux host, their host ends in <paramref name="hostNamespace"/> (null: this
/// process's); each VM's interface gets the address <paramref name="addressOf"/> gives it (null: none).
/// </summary>
public sealed class NamespaceVmHost(string? hostNamespace, Func<VmSpec, string?> addressOf) : IVmHost
{
    /// <inheritdoc/>
    public IVm Start(VmSpec spec) => new NamespaceVm(spec, hostNamespace, addressOf(spec));

    /// <inheritdoc/>
    public string? AddressOf(VmSpec spec) => addressOf(spec);
}
