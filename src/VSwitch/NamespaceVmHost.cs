namespace PdCluster.VSwitch;

/// <summary>
/// Runs VMs as network namespaces on this Linux host, their host ends in <paramref name="hostNamespace"/> (null: this
/// process's); each VM's interface gets the address <paramref name="addressOf"/> gives it (null: none). What a start
/// cleaned up first (<see cref="NamespaceVm.Reclaimed"/>) goes to <paramref name="noticed"/>. Each VM's namespace is
/// <see cref="NamespacePrefix"/> and the VM's name.
/// </summary>
public sealed class NamespaceVmHost(string? hostNamespace, Func<VmSpec, string?> addressOf, Action<string>? noticed = null) : IVmHost
{
    /// <summary>What the VMs' namespace names start with (see <see cref="NamespaceVm.IsNamespacePrefix"/>).</summary>
    public string NamespacePrefix { get; init; } = NamespaceVm.DefaultNamespacePrefix;

    /// <inheritdoc/>
    public IVm Start(VmSpec spec)
    {
        var vm = new NamespaceVm(spec, hostNamespace, addressOf(spec), NamespacePrefix);
        if (vm.Reclaimed is { } reclaimed)
            noticed?.Invoke(reclaimed);
        return vm;
    }

    /// <inheritdoc/>
    public string? AddressOf(VmSpec spec) => addressOf(spec);
}
