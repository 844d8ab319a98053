using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Nic.Adapters;
using PdCluster.Queues.Input;
using PdCluster.Vfp;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// The switches, VMs and VFP rules of a cluster in its store (<c>/pd/&lt;cluster&gt;/vswitch/&lt;switch&gt;</c>,
/// <c>/pd/&lt;cluster&gt;/vms/&lt;vm&gt;</c> and <see cref="VfpRuleKey"/>), changed as Hyper-V's cmdlets and vfpctrl change them. Each change is checked first
/// and written in one transaction on the revisions it read; bad input is a <see cref="VSwitchRefusedException"/> and
/// writes nothing.
/// </summary>
public sealed class VSwitchCatalog(IClusterStore store, string cluster) : IVSwitchCatalog
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The one switch extension there is.</summary>
    public const string Vfp = "vfp";

    private string SwitchPrefix => VfpRuleKey.SwitchPrefix(cluster);

    private string VmPrefix => $"/pd/{cluster}/vms/";

    /// <summary>Creates switch <paramref name="name"/> on <paramref name="adapter"/>.</summary>
    public async Task<long> CreateSwitchAsync(string name, string adapter, bool allowManagementOs, CancellationToken cancel)
    {
        CheckName("switch", name);
        CheckName("adapter", adapter);
        var key = SwitchPrefix + name;
        var switches = await store.RangeAsync(SwitchPrefix, cancel);
        if (switches.Items.Select(i => TryRead(i.Value, VSwitchJson.Default.SwitchDocument)).FirstOrDefault(s => s?.Adapter == adapter && s.Name != name) is { } other)
            throw new VSwitchRefusedException($"--adapter: {adapter} is already the external port of switch {other.Name}.");
        var document = new SwitchDocument { SchemaVersion = SchemaVersion, Name = name, Adapter = adapter, AllowManagementOs = allowManagementOs };
        var when = switches.Items.Select(i => Compare.ModRevision(i.Key, i.ModRevision)).Append(Compare.CreateRevision(key, 0)).ToList();
        var txn = await store.TxnAsync(when, [new TxnOp.Put(key, Write(document, VSwitchJson.Default.SwitchDocument))], cancel: cancel);
        return txn.Succeeded ? txn.Revision : throw new VSwitchRefusedException($"switch {name} already exists.");
    }

    /// <summary>Removes switch <paramref name="name"/> (Remove-VMSwitch), refused while a running VM has an adapter on it; the node gives its adapter back to its own queues.</summary>
    public async Task<long> RemoveSwitchAsync(string name, CancellationToken cancel)
    {
        var (_, revision) = await SwitchAsync(name, cancel);
        var vms = await store.RangeAsync(VmPrefix, cancel);
        if (vms.Items.Select(Vm).FirstOrDefault(v => v.Running && v.Adapters.Any(a => a.Switch == name)) is { } running)
            throw new VSwitchRefusedException($"VM {running.Name} is running on switch {name}; stop it first (pd vm stop {running.Name}).");
        return await CommitAsync([Compare.ModRevision(SwitchPrefix + name, revision)], [new TxnOp.Delete(SwitchPrefix + name)], cancel);
    }

    /// <summary>Enables <paramref name="extension"/> (only <see cref="Vfp"/>) on switch <paramref name="name"/>.</summary>
    public async Task<long> EnableExtensionAsync(string name, string extension, CancellationToken cancel)
    {
        CheckExtension(extension);
        var (document, revision) = await SwitchAsync(name, cancel);
        var key = SwitchPrefix + name;
        return await CommitAsync([Compare.ModRevision(key, revision)], [new TxnOp.Put(key, Write(document with { VfpEnabled = true }, VSwitchJson.Default.SwitchDocument))], cancel);
    }

    /// <summary>Adds a network adapter with static MAC <paramref name="mac"/> (and <paramref name="address"/> for a namespace VM's interface) on switch <paramref name="switchName"/> to VM <paramref name="vm"/> (created, off, when new).</summary>
    public async Task<long> AddAdapterAsync(string vm, string switchName, string mac, CancellationToken cancel, string? address = null)
    {
        CheckName("VM", vm);
        if (address is not null && !IsAddressWithPrefix(address))
            throw new VSwitchRefusedException($"--address: '{address}' is not an address with a prefix length, like 198.18.1.10/15.");
        if (!AdapterInfo.TryParseMac(mac, out var staticMac))
            throw new VSwitchRefusedException($"--static-mac: '{mac}' is not a MAC address: six octets of two hex digits joined by ':' or '-', like 00:15:5d:00:00:01.");
        if (MacAddresses.IsGroup(staticMac) || staticMac == 0)
            throw new VSwitchRefusedException($"--static-mac: {AdapterInfo.FormatMac(staticMac)} is a {(staticMac == 0 ? "zero" : "multicast")} address; a VM adapter's MAC is a unicast one.");
        var (_, switchRevision) = await SwitchAsync(switchName, cancel, "--switch");
        var vms = await store.RangeAsync(VmPrefix, cancel);
        var text = AdapterInfo.FormatMac(staticMac);
        foreach (var other in vms.Items.Select(Vm))
            if (other.Adapters.FirstOrDefault(a => a.StaticMac == text) is { } taken)
                throw new VSwitchRefusedException($"--static-mac: {text} is already the MAC of VM {other.Name}'s adapter on switch {taken.Switch}.");
        var key = VmPrefix + vm;
        var stored = vms.Items.FirstOrDefault(i => i.Key == key);
        var current = stored is null ? new VmDocument { SchemaVersion = SchemaVersion, Name = vm } : Vm(stored);
        if (current.Running)
            throw new VSwitchRefusedException($"VM {vm} is running; stop it to add a network adapter (as Hyper-V refuses a static adapter on a running VM).");
        if (current.Adapters.FirstOrDefault() is { } first)
            throw new VSwitchRefusedException($"VM {vm} already has a network adapter ({first.StaticMac}, port {first.PortName} on switch {first.Switch}); a VM here has one.");
        var portId = vms.Items.Select(Vm).SelectMany(v => v.Adapters).Where(a => a.Switch == switchName).Select(a => a.PortId).DefaultIfEmpty(0).Max() + 1;
        var adapter = new VmAdapterDocument { Name = "Network Adapter", Switch = switchName, StaticMac = text, PortName = Guid.NewGuid().ToString("D").ToUpperInvariant(), PortId = portId, Address = address };
        var when = vms.Items.Select(i => Compare.ModRevision(i.Key, i.ModRevision)).Append(Compare.ModRevision(SwitchPrefix + switchName, switchRevision)).ToList();
        if (stored is null)
            when.Add(Compare.CreateRevision(key, 0));
        return await CommitAsync(when, [new TxnOp.Put(key, Write(current with { Adapters = [.. current.Adapters, adapter] }, VSwitchJson.Default.VmDocument))], cancel);
    }

    /// <summary>How long a start waits for the node that runs the VM's switch to say how it went.</summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Starts (<paramref name="running"/>) or stops VM <paramref name="vm"/>; a start enables VFP on each of its ports
    /// again. Starting a running VM or stopping a stopped one is refused and writes nothing. A start waits (at most
    /// <see cref="StartWait"/>) for the node that runs the VM's switch to report it: a VM that did not start is put back
    /// off and refused with the node's reason.
    /// </summary>
    public async Task<long> SetRunningAsync(string vm, bool running, CancellationToken cancel)
    {
        var (document, revision) = await VmAsync(vm, cancel);
        if (document.Running == running)
            throw new VSwitchRefusedException(running
                ? $"VM {vm} is already running; nothing changed (pd vm stop {vm}, then pd vm start {vm}, reboots it)."
                : $"VM {vm} is already off; nothing changed.");
        var changed = document with
        {
            Running = running,
            Adapters = running ? [.. document.Adapters.Select(a => a with { VfpDisabled = false })] : document.Adapters,
        };
        var key = VmPrefix + vm;
        var written = await CommitAsync([Compare.ModRevision(key, revision)], [new TxnOp.Put(key, Write(changed, VSwitchJson.Default.VmDocument))], cancel);
        if (!running || await StartFailureAsync(document, written, cancel) is not { } failure)
            return written;
        await store.TxnAsync([Compare.ModRevision(key, written)], [new TxnOp.Put(key, Write(document, VSwitchJson.Default.VmDocument))], cancel: cancel);
        throw new VSwitchRefusedException($"{failure.Error} VM {vm} is left off.");
    }

    /// <summary>
    /// Waits for a node that runs one of <paramref name="vm"/>'s switches to report the start written at
    /// <paramref name="revision"/>: its failure, or null when it started, when no node runs the switch, or when none said in time.
    /// </summary>
    private async Task<VmStartOutcome?> StartFailureAsync(VmDocument vm, long revision, CancellationToken cancel)
    {
        var switches = vm.Adapters.Select(a => a.Switch).ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + StartWait;
        while (true)
        {
            var hosts = (await store.RangeAsync($"/pd/{cluster}/vswitch-status/", cancel)).Items
                .Select(i => TryRead(i.Value, VSwitchJson.Default.VfpRuleStatus)).OfType<VfpRuleStatus>().Where(s => s.Switches.Any(switches.Contains)).ToList();
            if (hosts.Count == 0)
                return null;
            if (hosts.SelectMany(h => h.VmStarts).FirstOrDefault(o => o.Vm == vm.Name && o.Revision >= revision) is { } outcome)
                return outcome.Error is null ? null : outcome;
            if (DateTime.UtcNow > deadline)
                return null;
            await Task.Delay(50, cancel);
        }
    }

    /// <summary>Disables VFP on port <paramref name="portName"/> (<paramref name="disabled"/>), or enables it again.</summary>
    public async Task<long> SetPortDisabledAsync(string portName, bool disabled, CancellationToken cancel)
    {
        CheckPortName(portName);
        var vms = await store.RangeAsync(VmPrefix, cancel);
        foreach (var item in vms.Items)
        {
            var vm = Vm(item);
            if (vm.Adapters.FirstOrDefault(a => string.Equals(a.PortName, portName, StringComparison.OrdinalIgnoreCase)) is not { } adapter)
                continue;
            if (!vm.Running)
                throw new VSwitchRefusedException($"--port: port {adapter.PortName} is not initialized: VM {vm.Name} is off.");
            var changed = vm with { Adapters = [.. vm.Adapters.Select(a => a == adapter ? a with { VfpDisabled = disabled } : a)] };
            return await CommitAsync([Compare.ModRevision(item.Key, item.ModRevision)], [new TxnOp.Put(item.Key, Write(changed, VSwitchJson.Default.VmDocument))], cancel);
        }
        throw await NoPortAsync(portName, cancel);
    }

    /// <summary>The refusal for a port name no VM adapter has: an external port's name is told apart, as VFP applies to VM ports only.</summary>
    private async Task<VSwitchRefusedException> NoPortAsync(string portName, CancellationToken cancel)
    {
        var external = (await store.RangeAsync(SwitchPrefix, cancel)).Items.Where(i => VfpRuleKey.IsSwitchRecord(cluster, i.Key))
            .Select(i => TryRead(i.Value, VSwitchJson.Default.SwitchDocument)).FirstOrDefault(s => s?.Adapter == portName);
        return new VSwitchRefusedException(external is null
            ? $"--port: no port '{portName}' (pd vfp list-ports lists them)."
            : $"--port: {portName} is the external port of switch {external.Name}; VFP applies to VM ports (pd vfp list-ports lists them).");
    }

    /// <summary>Every port of every switch, as <c>pd vfp list-ports</c> shows them: each switch's external port, then its VMs' ports by port id.</summary>
    public async Task<IReadOnlyList<PortListing>> ListPortsAsync(CancellationToken cancel)
    {
        var items = (await store.RangeAsync(SwitchPrefix, cancel)).Items;
        var switches = items.Where(i => VfpRuleKey.IsSwitchRecord(cluster, i.Key)).Select(i => Read(i.Value, VSwitchJson.Default.SwitchDocument, i.Key)).ToList();
        var rules = items.Select(i => VfpRuleKey.TryParse(cluster, i.Key)).OfType<VfpRuleKey>().CountBy(r => (r.Switch, r.Port.ToUpperInvariant()))
            .ToDictionary(c => c.Key, c => c.Value);
        var statuses = (await store.RangeAsync($"/pd/{cluster}/vswitch-status/", cancel)).Items
            .Select(i => TryRead(i.Value, VSwitchJson.Default.VfpRuleStatus)).OfType<VfpRuleStatus>().ToList();
        // The VMs whose hosting node said their current record's start failed: their ports are not on the switch.
        var failed = statuses.SelectMany(s => s.VmStarts).Where(o => o.Error is not null).ToLookup(o => o.Vm, o => o.Revision, StringComparer.Ordinal);
        // A VM has one network adapter; a record's further adapters (written around pd) never join the switch.
        var adapters = (await store.RangeAsync(VmPrefix, cancel)).Items.Select(i => (Document: Vm(i), i.ModRevision))
            .SelectMany(vm => vm.Document.Adapters.Select((a, n) => (Vm: vm.Document, Adapter: a,
                Initialized: vm.Document.Running && n == 0 && !failed[vm.Document.Name].Any(r => r >= vm.ModRevision)))).ToList();
        // What the hosting node last said of each switch's external port: down, or moved to a team survivor.
        var external = statuses.SelectMany(s => s.ExternalPorts).GroupBy(p => p.Switch, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var rows = new List<PortListing>();
        foreach (var sw in switches)
        {
            var port = external.GetValueOrDefault(sw.Name);
            rows.Add(new PortListing(sw.Adapter, sw.Adapter, sw.Name, 0, nameof(PortKind.External), port is null || port.Adapter is not null, false,
                port?.Adapter ?? sw.Adapter, PortIdentity.DefaultMtu, "", null, false, false, 0) { Down = port is { Adapter: null } ? port.Failure : null });
            foreach (var (vm, a, initialized) in adapters.Where(x => x.Adapter.Switch == sw.Name).OrderBy(x => x.Adapter.PortId))
                rows.Add(new PortListing(a.PortName, a.Name, sw.Name, a.PortId, nameof(PortKind.Vm), initialized, false, $"{vm.Name}--{a.PortId}", PortIdentity.DefaultMtu,
                    a.StaticMac, vm.Name, Blocked: sw.VfpEnabled && initialized && !a.VfpDisabled && RuleCount(a) == 0, Disabled: a.VfpDisabled, RuleCount: RuleCount(a)));
        }
        return rows;

        int RuleCount(VmAdapterDocument a) => rules.GetValueOrDefault((a.Switch, a.PortName.ToUpperInvariant()));
    }

    /// <summary>
    /// Adds <paramref name="rule"/> (checked by the caller: <see cref="VfpRule.Read"/> or <see cref="VfpRule.Check"/>) to
    /// port <paramref name="portName"/>; a port that does not exist or already has a rule with the rule's id is refused.
    /// </summary>
    public async Task<long> AddRuleAsync(string portName, VfpRule rule, CancellationToken cancel)
    {
        var (vm, adapter) = await PortAsync(portName, cancel);
        var key = new VfpRuleKey(adapter.Switch, adapter.PortName, rule.Id).Key(cluster);
        if ((await store.GetAsync(key, cancel)).Items.Count > 0)
            throw new VSwitchRefusedException($"--port: port {adapter.PortName} already has a rule '{rule.Id}' (pd vfp rule rm {rule.Id} --port {adapter.PortName} removes it).");
        return await CommitAsync([Compare.CreateRevision(key, 0), Compare.ModRevision(VmPrefix + vm.Name, vm.Revision)], [new TxnOp.Put(key, rule.ToJson())], cancel);
    }

    /// <summary>Removes rule <paramref name="id"/> from port <paramref name="portName"/>; an unknown port or rule is refused.</summary>
    public async Task<long> RemoveRuleAsync(string portName, string id, CancellationToken cancel)
    {
        CheckRuleId(id);
        var (_, adapter) = await PortAsync(portName, cancel);
        var key = new VfpRuleKey(adapter.Switch, adapter.PortName, id).Key(cluster);
        var item = (await store.GetAsync(key, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"ID: port {adapter.PortName} has no rule '{id}' (pd vfp rule ls --port {adapter.PortName} lists them).");
        return await CommitAsync([Compare.ModRevision(key, item.ModRevision)], [new TxnOp.Delete(key)], cancel);
    }

    /// <summary>The stored rules of every port, or of port <paramref name="portName"/>, by port and id; a document that does not read is listed with its problem.</summary>
    public async Task<IReadOnlyList<RuleListing>> ListRulesAsync(string? portName, CancellationToken cancel)
    {
        var prefix = SwitchPrefix;
        string? vmName = null;
        if (portName is not null)
        {
            var (vm, adapter) = await PortAsync(portName, cancel);
            prefix = VfpRuleKey.PortPrefix(cluster, adapter.Switch, adapter.PortName);
            vmName = vm.Name;
        }
        var owners = portName is null
            ? (await store.RangeAsync(VmPrefix, cancel)).Items.Select(Vm).SelectMany(v => v.Adapters.Select(a => (a.PortName, v.Name))).ToDictionary(StringComparer.OrdinalIgnoreCase)
            : null;
        var rows = new List<RuleListing>();
        foreach (var item in (await store.RangeAsync(prefix, cancel)).Items)
        {
            if (VfpRuleKey.TryParse(cluster, item.Key) is not { } key)
                continue;
            var owner = vmName ?? owners!.GetValueOrDefault(key.Port);
            try
            {
                var rule = VfpRule.Read(item.Value, item.Key, key.Id);
                var match = rule.Match is { Count: > 0 } m ? string.Join(" ", m.Select(p => $"{p.Key}={p.Value}")) : null;
                if (rule.Dnat is { } dnat)
                    match = $"{match} vip={dnat.Vip} dip={dnat.Dip}".Trim();
                rows.Add(new RuleListing(key.Port, key.Switch, owner, rule.Id, rule.Layer, rule.Group, Name(rule.Direction), rule.Priority, Name(rule.Action), match, null));
            }
            catch (VfpRuleException e)
            {
                rows.Add(new RuleListing(key.Port, key.Switch, owner, key.Id, null, null, null, 0, null, null, e.Message));
            }
        }
        return rows;

        static string Name<T>(T value) where T : struct, Enum => JsonEnumConverter<T>.Names[Convert.ToInt32(value)];
    }

    private async Task<(StoredVm Vm, VmAdapterDocument Adapter)> PortAsync(string portName, CancellationToken cancel)
    {
        CheckPortName(portName);
        foreach (var item in (await store.RangeAsync(VmPrefix, cancel)).Items)
        {
            var vm = Vm(item);
            if (vm.Adapters.FirstOrDefault(a => string.Equals(a.PortName, portName, StringComparison.OrdinalIgnoreCase)) is { } adapter)
                return (new StoredVm(vm.Name, item.ModRevision), adapter);
        }
        throw await NoPortAsync(portName, cancel);
    }

    private sealed record StoredVm(string Name, long Revision);

    /// <summary>Switch <paramref name="name"/>'s record; an unknown one is refused, naming <paramref name="option"/> when the name came from one.</summary>
    private async Task<(SwitchDocument Document, long Revision)> SwitchAsync(string name, CancellationToken cancel, string? option = null)
    {
        CheckName("switch", name);
        var item = (await store.GetAsync(SwitchPrefix + name, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"{(option is null ? "" : $"{option}: ")}no switch '{name}' (pd vswitch create makes one).");
        return (Read(item.Value, VSwitchJson.Default.SwitchDocument, item.Key), item.ModRevision);
    }

    private async Task<(VmDocument Document, long Revision)> VmAsync(string name, CancellationToken cancel)
    {
        CheckName("VM", name);
        var item = (await store.GetAsync(VmPrefix + name, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"no VM '{name}' (pd vm adapter add makes one).");
        return (Vm(item), item.ModRevision);
    }

    private async Task<long> CommitAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, CancellationToken cancel)
    {
        var txn = await store.TxnAsync(when, then, cancel: cancel);
        return txn.Succeeded ? txn.Revision : throw new VSwitchRefusedException("the switch's records changed while this change was checked; nothing was written, run it again.");
    }

    private static VmDocument Vm(KeyValue item) => Read(item.Value, VSwitchJson.Default.VmDocument, item.Key);

    private static string Write<T>(T document, JsonTypeInfo<T> type) => JsonSerializer.Serialize(document, type);

    /// <summary>A stored document, or null when <paramref name="json"/> does not read as one this pd knows.</summary>
    public static T? TryRead<T>(string json, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return Read(json, type, "");
        }
        catch (VSwitchRefusedException)
        {
            return null;
        }
    }

    private static T Read<T>(string json, JsonTypeInfo<T> type, string key) where T : class
    {
        try
        {
            var document = JsonInput.Read(json, type, key);
            var version = document switch { SwitchDocument s => s.SchemaVersion, VmDocument v => v.SchemaVersion, _ => SchemaVersion };
            return version == SchemaVersion ? document : throw new VSwitchRefusedException($"{key}: schemaVersion: {version} is not one this pd reads ({SchemaVersion}).");
        }
        catch (InputException e)
        {
            throw new VSwitchRefusedException(e.Message);
        }
    }

    /// <summary>Whether <paramref name="text"/> is an interface address with its prefix length, like 198.18.1.10/15 (host bits allowed).</summary>
    private static bool IsAddressWithPrefix(string text) =>
        text.Split('/') is [var ip, var length] && System.Net.IPAddress.TryParse(ip, out var address) && !ip.Contains('%')
        && int.TryParse(length, System.Globalization.NumberStyles.None, null, out var bits)
        && bits <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    /// <summary>Refuses <paramref name="name"/> unless it is a <paramref name="what"/> name (a switch, a VM: a store key segment, <see cref="ClusterNames.Rule"/>).</summary>
    public static void CheckName(string what, string name)
    {
        if (!ClusterNames.IsName(name))
            throw new VSwitchRefusedException($"'{name}' is not a {what} name: {ClusterNames.Rule}.");
    }

    /// <summary>Refuses an extension other than <see cref="Vfp"/>.</summary>
    public static void CheckExtension(string extension)
    {
        if (!string.Equals(extension, Vfp, StringComparison.OrdinalIgnoreCase))
            throw new VSwitchRefusedException($"'{extension}' is not a switch extension; the only one is {Vfp}.");
    }

    /// <summary>Refuses a <c>--port</c> that cannot name a port (ports are named as switches and VMs are; pd names them by GUID).</summary>
    public static void CheckPortName(string portName)
    {
        if (!ClusterNames.IsName(portName))
            throw new VSwitchRefusedException($"--port: '{portName}' is not a port name: {ClusterNames.Rule} (pd vfp list-ports lists the ports).");
    }

    /// <summary>Refuses a rule id that cannot name a rule (<see cref="VfpNames.Rule"/>).</summary>
    public static void CheckRuleId(string id)
    {
        if (!VfpNames.IsName(id))
            throw new VSwitchRefusedException($"ID: '{id}' is not a rule id: {VfpNames.Rule}.");
    }
}
