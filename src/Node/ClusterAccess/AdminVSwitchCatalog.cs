using System.Text.Json;
using PdCluster.Node.Admin;
using PdCluster.Vfp;
using PdCluster.VSwitch.Store;

namespace PdCluster.Node.ClusterAccess;

/// <summary>
/// <see cref="IVSwitchCatalog"/> through a running node's admin endpoint (<c>/vswitch/…</c> routes), for the store that
/// lives inside that node. Names that go into a route's path are checked here first, as the node would check them, so
/// an empty or overlong one is refused by name rather than lost as a route that does not exist.
/// </summary>
internal sealed class AdminVSwitchCatalog(AdminCatalog admin) : IVSwitchCatalog
{
    /// <inheritdoc/>
    public Task<long> CreateSwitchAsync(string name, string adapter, bool allowManagementOs, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckName("switch", name), HttpMethod.Post, "vswitch/switches", JsonSerializer.Serialize(new SwitchCreate(name, adapter, allowManagementOs), VSwitchBodyJson.Default.SwitchCreate), cancel);

    /// <inheritdoc/>
    public Task<long> RemoveSwitchAsync(string name, CancellationToken cancel) => Checked(() => VSwitchCatalog.CheckName("switch", name), HttpMethod.Delete, $"vswitch/switches/{Escape(name)}", null, cancel);

    /// <inheritdoc/>
    public Task<long> EnableExtensionAsync(string name, string extension, CancellationToken cancel) =>
        Checked(() => { VSwitchCatalog.CheckName("switch", name); VSwitchCatalog.CheckExtension(extension); }, HttpMethod.Put, $"vswitch/switches/{Escape(name)}/extensions/{Escape(extension)}", null, cancel);

    /// <inheritdoc/>
    public Task<long> AddAdapterAsync(string vm, string switchName, string mac, CancellationToken cancel, string? address = null) =>
        Checked(() => VSwitchCatalog.CheckName("VM", vm), HttpMethod.Post, $"vswitch/vms/{Escape(vm)}/adapters", JsonSerializer.Serialize(new VmAdapterAdd(switchName, mac, address), VSwitchBodyJson.Default.VmAdapterAdd), cancel);

    /// <inheritdoc/>
    public Task<long> RemoveVmAsync(string vm, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckName("VM", vm), HttpMethod.Delete, $"vswitch/vms/{Escape(vm)}", null, cancel);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SwitchListing>> ListSwitchesAsync(CancellationToken cancel) =>
        (await admin.SendAsync(HttpMethod.Get, "vswitch/switches", null, AdminJson.Default.IReadOnlyListSwitchListing, cancel))!;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<VmListing>> ListVmsAsync(CancellationToken cancel) =>
        (await admin.SendAsync(HttpMethod.Get, "vswitch/vms", null, AdminJson.Default.IReadOnlyListVmListing, cancel))!;

    /// <inheritdoc/>
    public Task<long> SetRunningAsync(string vm, bool running, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckName("VM", vm), HttpMethod.Post, $"vswitch/vms/{Escape(vm)}/{(running ? "start" : "stop")}", null, cancel,
            AdminCatalog.Timeout + VSwitchCatalog.StartWait);

    /// <inheritdoc/>
    public Task<long> SetPortDisabledAsync(string portName, bool disabled, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckPortName(portName), HttpMethod.Post, $"vswitch/ports/{Escape(portName)}/{(disabled ? "disable" : "enable")}", null, cancel);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PortListing>> ListPortsAsync(CancellationToken cancel) =>
        (await admin.SendAsync(HttpMethod.Get, "vswitch/ports", null, AdminJson.Default.IReadOnlyListPortListing, cancel))!;

    /// <inheritdoc/>
    public Task<long> AddRuleAsync(string portName, VfpRule rule, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckPortName(portName), HttpMethod.Post, $"vswitch/ports/{Escape(portName)}/rules", rule.ToJson(), cancel);

    /// <inheritdoc/>
    public Task<long> RemoveRuleAsync(string portName, string id, CancellationToken cancel) =>
        Checked(() => VSwitchCatalog.CheckPortName(portName), HttpMethod.Delete, $"vswitch/ports/{Escape(portName)}/rules/{Escape(id)}", null, cancel);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RuleListing>> ListRulesAsync(string? portName, CancellationToken cancel)
    {
        if (portName is not null)
            VSwitchCatalog.CheckPortName(portName);
        return (await admin.SendAsync(HttpMethod.Get, portName is null ? "vswitch/rules" : $"vswitch/rules?port={Escape(portName)}", null, AdminJson.Default.IReadOnlyListRuleListing, cancel))!;
    }

    /// <summary>Runs <paramref name="check"/> (a refusal writes nothing), then sends the change.</summary>
    private async Task<long> Checked(Action check, HttpMethod method, string path, string? body, CancellationToken cancel, TimeSpan? timeout = null)
    {
        check();
        return (await admin.SendAsync(method, path, body, AdminJson.Default.VSwitchWritten, cancel, timeout)
            ?? throw new ClusterRefusedException($"{admin.Name} has no route {path}: is it a node of this pd's version?")).Revision;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
