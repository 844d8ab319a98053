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

    /// <summary>The key that claims MAC <paramref name="mac"/> for a VM's adapter: an adapter add creates it in the transaction that adds the adapter, so two adds of one MAC cannot both succeed.</summary>
    private string MacKey(string mac) => $"/pd/{cluster}/vswitch-macs/{mac}";

    private async Task<StoredRecords> RecordsAsync(CancellationToken cancel)
    {
        var switches = await store.RangeAsync(SwitchPrefix, cancel);
        var vms = await store.RangeAsync(VmPrefix, cancel);
        return StoredRecords.Check(cluster, switches.Items, vms.Items);
    }

    /// <summary>Creates switch <paramref name="name"/> on <paramref name="adapter"/>.</summary>
    public async Task<long> CreateSwitchAsync(string name, string adapter, bool allowManagementOs, CancellationToken cancel)
    {
        CheckName("switch", name);
        CheckName("adapter", adapter);
        var key = SwitchPrefix + name;
        var switches = await store.RangeAsync(SwitchPrefix, cancel);
        var teams = await TeamsAsync(cancel);
        foreach (var other in switches.Items.Where(i => VfpRuleKey.IsSwitchRecord(cluster, i.Key)).Select(i => TryRead(i.Value, VSwitchJson.Default.SwitchDocument)))
            if (other is not null && other.Name != name && teams.Overlap(adapter, other.Adapter) is { } overlap)
                throw new VSwitchRefusedException($"--adapter: {overlap} the external port of switch {other.Name}; switch {name} cannot share it.");
        var document = new SwitchDocument { SchemaVersion = SchemaVersion, Name = name, Adapter = adapter, AllowManagementOs = allowManagementOs };
        var when = switches.Items.Select(i => Compare.ModRevision(i.Key, i.ModRevision)).Append(Compare.CreateRevision(key, 0)).ToList();
        var txn = await store.TxnAsync(when, [new TxnOp.Put(key, Write(document, VSwitchJson.Default.SwitchDocument))], cancel: cancel);
        return txn.Succeeded ? txn.Revision : throw new VSwitchRefusedException($"switch {name} already exists.");
    }

    /// <summary>The teams the nodes reported with their status (<see cref="VfpRuleStatus.Teams"/>).</summary>
    private async Task<AdapterTeams> TeamsAsync(CancellationToken cancel) => new([.. (await StatusesAsync(cancel)).SelectMany(s => s.Teams)]);

    /// <summary>
    /// Removes switch <paramref name="name"/> (Remove-VMSwitch), refused while a running VM has an adapter on it; the node
    /// gives its adapter back to its own queues. A switch record that does not read is removed too.
    /// </summary>
    public async Task<long> RemoveSwitchAsync(string name, CancellationToken cancel)
    {
        CheckName("switch", name);
        var key = SwitchPrefix + name;
        var item = (await store.GetAsync(key, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"no switch '{name}' (pd vswitch ls lists them).");
        var records = await RecordsAsync(cancel);
        if (records.Vms.Select(v => v.Document).FirstOrDefault(v => v.Running && v.Adapters.Any(a => a.Switch == name)) is { } running)
            throw new VSwitchRefusedException($"VM {running.Name} is running on switch {name}; stop it first (pd vm stop {running.Name}).");
        return await CommitAsync([Compare.ModRevision(key, item.ModRevision)], [new TxnOp.Delete(key)], cancel);
    }

    /// <summary>Enables <paramref name="extension"/> (only <see cref="Vfp"/>) on switch <paramref name="name"/>.</summary>
    public async Task<long> EnableExtensionAsync(string name, string extension, CancellationToken cancel)
    {
        CheckExtension(extension);
        var (document, revision) = await SwitchAsync(name, cancel);
        var key = SwitchPrefix + name;
        return await CommitAsync([Compare.ModRevision(key, revision)], [new TxnOp.Put(key, Write(document with { VfpEnabled = true }, VSwitchJson.Default.SwitchDocument))], cancel);
    }

    /// <summary>
    /// Adds a network adapter with static MAC <paramref name="mac"/> (and <paramref name="address"/> for a namespace VM's
    /// interface) on switch <paramref name="switchName"/> to VM <paramref name="vm"/> (created, off, when new). The write is
    /// conditioned on the MAC's claim key being as read, so of two adds of one MAC at once one is refused as a duplicate.
    /// </summary>
    public async Task<long> AddAdapterAsync(string vm, string switchName, string mac, CancellationToken cancel, string? address = null)
    {
        CheckName("VM", vm);
        if (address is not null && !VSwitchRecords.IsAddressWithPrefix(address))
            throw new VSwitchRefusedException($"--address: '{address}' is not an address with a prefix length, like 198.18.1.10/15.");
        if (!AdapterInfo.TryParseMac(mac, out var staticMac))
            throw new VSwitchRefusedException($"--static-mac: '{mac}' is not a MAC address: six octets of two hex digits joined by ':' or '-', like 00:15:5d:00:00:01.");
        if (VSwitchRecords.MacProblem(staticMac) is { } unicast)
            throw new VSwitchRefusedException($"--static-mac: {unicast}");
        for (var attempt = 0; ; attempt++)
        {
            var txn = await TryAddAdapterAsync(vm, switchName, staticMac, address, cancel);
            if (txn.Succeeded)
                return txn.Revision;
            if (attempt == 2)
                throw new VSwitchRefusedException("the switch's records changed while this change was checked; nothing was written, run it again.");
        }
    }

    /// <summary>One checked attempt at <see cref="AddAdapterAsync"/>: refused, or a transaction that fails when a record it read changed meanwhile.</summary>
    private async Task<TxnResult> TryAddAdapterAsync(string vm, string switchName, ulong staticMac, string? address, CancellationToken cancel)
    {
        var text = AdapterInfo.FormatMac(staticMac);
        // The claim is read before the VMs: a claim made after this read fails the transaction, and one made before it
        // came with its VM's record, which the read below sees (a claim whose VM no longer has the MAC is taken over).
        var claim = (await store.GetAsync(MacKey(text), cancel)).Items.FirstOrDefault();
        var (_, switchRevision) = await SwitchAsync(switchName, cancel, "--switch");
        var vms = await store.RangeAsync(VmPrefix, cancel);
        var records = StoredRecords.Check(cluster, [], vms.Items);
        if (VSwitchRecords.MacOwner(records.Vms.Select(v => v.Document), staticMac) is var (other, taken))
            throw new VSwitchRefusedException($"--static-mac: {text} is already the MAC of VM {other.Name}'s adapter on switch {taken.Switch}.");
        var key = VmPrefix + vm;
        var stored = vms.Items.FirstOrDefault(i => i.Key == key);
        if (stored is not null && records.Refused.FirstOrDefault(r => r.Key == key) is { } bad)
            throw new VSwitchRefusedException($"{bad.Error} (pd vm rm {vm} removes the record).");
        var current = stored is null ? new VmDocument { SchemaVersion = SchemaVersion, Name = vm } : records.Vms.Single(v => v.Item.Key == key).Document;
        if (current.Running)
            throw new VSwitchRefusedException($"VM {vm} is running; stop it to add a network adapter (as Hyper-V refuses a static adapter on a running VM).");
        if (current.Adapters.FirstOrDefault() is { } first)
            throw new VSwitchRefusedException($"VM {vm} already has a network adapter ({first.StaticMac}, port {first.PortName} on switch {first.Switch}); a VM here has one.");
        var portId = records.Vms.SelectMany(v => v.Document.Adapters).Where(a => a.Switch == switchName).Select(a => a.PortId).DefaultIfEmpty(0).Max() + 1;
        var adapter = new VmAdapterDocument { Name = "Network Adapter", Switch = switchName, StaticMac = text, PortName = Guid.NewGuid().ToString("D").ToUpperInvariant(), PortId = portId, Address = address };
        var when = records.Vms.Select(v => Compare.ModRevision(v.Item.Key, v.Item.ModRevision))
            .Append(Compare.ModRevision(SwitchPrefix + switchName, switchRevision))
            .Append(claim is null ? Compare.CreateRevision(MacKey(text), 0) : Compare.ModRevision(MacKey(text), claim.ModRevision)).ToList();
        if (stored is null)
            when.Add(Compare.CreateRevision(key, 0));
        return await store.TxnAsync(when, [new TxnOp.Put(key, Write(current with { Adapters = [.. current.Adapters, adapter] }, VSwitchJson.Default.VmDocument)), new TxnOp.Put(MacKey(text), vm)], cancel: cancel);
    }

    /// <summary>
    /// Removes VM <paramref name="vm"/> (Remove-VM) with its adapters' MAC claims, refused while it runs, then its ports'
    /// rules (in transactions of <see cref="BulkPut.MaxTxnOps"/>); a VM record that does not read is removed too.
    /// </summary>
    public async Task<long> RemoveVmAsync(string vm, CancellationToken cancel)
    {
        CheckName("VM", vm);
        var key = VmPrefix + vm;
        var item = (await store.GetAsync(key, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"no VM '{vm}' (pd vm ls lists them).");
        var document = TryRead(item.Value, VSwitchJson.Default.VmDocument);
        if (document is { Running: true })
            throw new VSwitchRefusedException($"VM {vm} is running; stop it first (pd vm stop {vm}).");
        var claims = new List<Compare>();
        foreach (var adapter in document?.Adapters ?? [])
            if (AdapterInfo.TryParseMac(adapter.StaticMac, out var mac) && (await store.GetAsync(MacKey(AdapterInfo.FormatMac(mac)), cancel)).Items.FirstOrDefault() is { } claim && claim.Value == vm)
                claims.Add(Compare.ModRevision(claim.Key, claim.ModRevision));
        var revision = await CommitAsync([Compare.ModRevision(key, item.ModRevision), .. claims], [new TxnOp.Delete(key), .. claims.Select(c => new TxnOp.Delete(c.Key))], cancel);
        var ports = document?.Adapters.Select(a => a.PortName).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var rules = (await store.RangeAsync(SwitchPrefix, cancel)).Items.Where(i => VfpRuleKey.TryParseFiled(cluster, i.Key) is { } r && ports.Contains(r.Port));
        foreach (var chunk in rules.Chunk(BulkPut.MaxTxnOps))
            revision = (await store.TxnAsync([], [.. chunk.Select(r => new TxnOp.Delete(r.Key))], cancel: cancel)).Revision;
        return revision;
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
            var hosts = (await StatusesAsync(cancel)).Where(s => s.ExternalPorts.Any(p => switches.Contains(p.Switch))).ToList();
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
        var (vm, adapter) = await PortAsync(portName, cancel);
        if (!vm.Document.Running)
            throw new VSwitchRefusedException($"--port: port {adapter.PortName} is not initialized: VM {vm.Document.Name} is off.");
        var changed = vm.Document with { Adapters = [.. vm.Document.Adapters.Select(a => a == adapter ? a with { VfpDisabled = disabled } : a)] };
        return await CommitAsync([Compare.ModRevision(vm.Item.Key, vm.Item.ModRevision)], [new TxnOp.Put(vm.Item.Key, Write(changed, VSwitchJson.Default.VmDocument))], cancel);
    }

    /// <summary>The refusal for a port name no VM adapter has: an external port's name is told apart, as VFP applies to VM ports only.</summary>
    private async Task<VSwitchRefusedException> NoPortAsync(string portName, CancellationToken cancel)
    {
        var external = StoredRecords.Check(cluster, (await store.RangeAsync(SwitchPrefix, cancel)).Items, []).Switches
            .Select(s => s.Document).FirstOrDefault(s => s.Adapter == portName);
        return new VSwitchRefusedException(external is null
            ? $"--port: no port '{portName}' (pd vfp list-ports lists them)."
            : $"--port: {portName} is the external port of switch {external.Name}; VFP applies to VM ports (pd vfp list-ports lists them).");
    }

    /// <summary>
    /// Every port of every switch, as <c>pd vfp list-ports</c> shows them: each switch's external port (initialized when a
    /// node reports it runs the switch), then its VMs' ports by port id; then each switch or VM record that does not hold,
    /// as a row with its key and problem.
    /// </summary>
    public async Task<IReadOnlyList<PortListing>> ListPortsAsync(CancellationToken cancel)
    {
        var items = (await store.RangeAsync(SwitchPrefix, cancel)).Items;
        var records = StoredRecords.Check(cluster, items, (await store.RangeAsync(VmPrefix, cancel)).Items);
        var rules = items.Select(i => VfpRuleKey.TryParse(cluster, i.Key)).OfType<VfpRuleKey>().CountBy(r => (r.Switch, r.Port.ToUpperInvariant()))
            .ToDictionary(c => c.Key, c => c.Value);
        var statuses = await StatusesAsync(cancel);
        var external = ExternalPorts(statuses);
        // The VMs whose hosting node said their current record's start failed: their ports are not on the switch.
        var failed = statuses.SelectMany(s => s.VmStarts).Where(o => o.Error is not null).ToLookup(o => o.Vm, o => o.Revision, StringComparer.Ordinal);
        // A VM has one network adapter; a record's further adapters (written around pd) never join the switch.
        var adapters = records.Vms.SelectMany(vm => vm.Document.Adapters.Select((a, n) => (Vm: vm.Document, Adapter: a,
            Initialized: vm.Document.Running && n == 0 && !failed[vm.Document.Name].Any(r => r >= vm.Item.ModRevision)))).ToList();
        var rows = new List<PortListing>();
        foreach (var sw in records.Switches.Select(s => s.Document))
        {
            var (initialized, nic, mac, down) = External(sw, external);
            rows.Add(new PortListing(sw.Adapter, sw.Adapter, sw.Name, 0, nameof(PortKind.External), initialized, false, nic, PortIdentity.DefaultMtu, mac, null, false, false, 0) { Down = down });
            foreach (var (vm, a, running) in adapters.Where(x => x.Adapter.Switch == sw.Name).OrderBy(x => x.Adapter.PortId))
                rows.Add(new PortListing(a.PortName, a.Name, sw.Name, a.PortId, nameof(PortKind.Vm), running, false, $"{vm.Name}--{a.PortId}", PortIdentity.DefaultMtu,
                    a.StaticMac, vm.Name, Blocked: sw.VfpEnabled && !a.VfpDisabled && RuleCount(a) == 0, Disabled: a.VfpDisabled, RuleCount: RuleCount(a)));
        }
        rows.AddRange(records.Refused.Select(r => new PortListing("", "", "", 0, r.Key.StartsWith(VmPrefix, StringComparison.Ordinal) ? nameof(PortKind.Vm) : nameof(PortKind.External),
            false, false, "", 0, "", null, false, false, 0) { Problem = WithRemedy(r) }));
        return rows;

        int RuleCount(VmAdapterDocument a) => rules.GetValueOrDefault((a.Switch, a.PortName.ToUpperInvariant()));
    }

    /// <summary>The switches as <c>pd vswitch ls</c> shows them (Get-VMSwitch), then each switch record that does not hold with its problem.</summary>
    public async Task<IReadOnlyList<SwitchListing>> ListSwitchesAsync(CancellationToken cancel)
    {
        var records = await RecordsAsync(cancel);
        var external = ExternalPorts(await StatusesAsync(cancel));
        var rows = records.Switches.Select(s => s.Document).Select(sw =>
        {
            var (initialized, nic, mac, down) = External(sw, external);
            var ports = records.Vms.Sum(v => v.Document.Adapters.Count(a => a.Switch == sw.Name));
            return new SwitchListing(sw.Name, sw.Adapter, sw.AllowManagementOs, sw.VfpEnabled, ports, initialized, nic, mac) { Down = down };
        }).ToList();
        rows.AddRange(records.Refused.Where(r => VfpRuleKey.IsSwitchRecord(cluster, r.Key)).Select(r =>
            new SwitchListing(r.Key[SwitchPrefix.Length..], "", false, false, 0, false, "", "") { Problem = WithRemedy(r) }));
        return rows;
    }

    /// <summary>The VMs as <c>pd vm ls</c> shows them (Get-VM), then each VM record that does not hold with its problem.</summary>
    public async Task<IReadOnlyList<VmListing>> ListVmsAsync(CancellationToken cancel)
    {
        var records = StoredRecords.Check(cluster, [], (await store.RangeAsync(VmPrefix, cancel)).Items);
        var rows = records.Vms.Select(v => new VmListing(v.Document.Name, v.Document.Running ? "Running" : "Off", v.Document.Adapters)).ToList();
        rows.AddRange(records.Refused.Select(r => new VmListing(r.Key[VmPrefix.Length..], "", []) { Problem = WithRemedy(r) }));
        return rows;
    }

    /// <summary>A refused record's problem and the command that removes it (a misfiled key's problem names its own).</summary>
    private string WithRemedy(RefusedRecord record) =>
        record.Key.StartsWith(VmPrefix, StringComparison.Ordinal) ? $"{record.Error} (pd vm rm {record.Key[VmPrefix.Length..]} removes it)"
        : VfpRuleKey.IsSwitchRecord(cluster, record.Key) ? $"{record.Error} (pd vswitch rm {record.Key[SwitchPrefix.Length..]} removes it)"
        : record.Error;

    /// <summary>What the nodes last said of each switch they run: its external port's adapter and MAC, or why it is down.</summary>
    /// <summary>What every node last wrote to <c>vswitch-status/</c> (a status that does not read is left out).</summary>
    private async Task<List<VfpRuleStatus>> StatusesAsync(CancellationToken cancel) =>
        [.. (await store.RangeAsync($"/pd/{cluster}/vswitch-status/", cancel)).Items.Select(i => TryRead(i.Value, VSwitchJson.Default.VfpRuleStatus)).OfType<VfpRuleStatus>()];

    /// <summary>Each switch's external port as the nodes last reported it, by switch.</summary>
    private static Dictionary<string, ExternalPortState> ExternalPorts(IEnumerable<VfpRuleStatus> statuses) =>
        statuses.SelectMany(s => s.ExternalPorts).GroupBy(p => p.Switch, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>Switch <paramref name="sw"/>'s external port as the nodes report it: initialized only where a node runs the switch.</summary>
    private static (bool Initialized, string Nic, string Mac, string? Down) External(SwitchDocument sw, Dictionary<string, ExternalPortState> reported) =>
        reported.GetValueOrDefault(sw.Name) switch
        {
            null => (false, sw.Adapter, "", $"no node runs switch {sw.Name}: none has an adapter or team named {sw.Adapter}."),
            { Adapter: null } port => (false, sw.Adapter, "", port.Failure),
            var port => (true, port.Adapter, port.Mac ?? "", null),
        };

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
        return await CommitAsync([Compare.CreateRevision(key, 0), Compare.ModRevision(vm.Item.Key, vm.Item.ModRevision)], [new TxnOp.Put(key, rule.ToJson())], cancel);
    }

    /// <summary>
    /// Removes rule <paramref name="id"/> from port <paramref name="portName"/>, whatever its document holds, and whether or
    /// not a VM still has the port (a rule under an empty or nested id too); an unknown port or rule is refused.
    /// </summary>
    public async Task<long> RemoveRuleAsync(string portName, string id, CancellationToken cancel)
    {
        var filed = (await store.RangeAsync(SwitchPrefix, cancel)).Items
            .Select(i => (Item: i, Rule: VfpRuleKey.TryParseFiled(cluster, i.Key))).Where(r => r.Rule is not null && string.Equals(r.Rule.Port, portName, StringComparison.OrdinalIgnoreCase)).ToList();
        if (filed.Count == 0)
            await PortAsync(portName, cancel);
        var item = filed.FirstOrDefault(r => r.Rule!.Id == id).Item
            ?? throw new VSwitchRefusedException($"ID: port {portName} has no rule '{id}' (pd vfp rule ls --port {portName} lists them).");
        return await CommitAsync([Compare.ModRevision(item.Key, item.ModRevision)], [new TxnOp.Delete(item.Key)], cancel);
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
            vmName = vm.Document.Name;
        }
        var owners = portName is null
            ? StoredRecords.Check(cluster, [], (await store.RangeAsync(VmPrefix, cancel)).Items).Vms.SelectMany(v => v.Document.Adapters.Select(a => (a.PortName, v.Document.Name)))
                .ToDictionary(StringComparer.OrdinalIgnoreCase)
            : null;
        var rows = new List<RuleListing>();
        foreach (var item in (await store.RangeAsync(prefix, cancel)).Items)
        {
            if (VfpRuleKey.TryParseFiled(cluster, item.Key) is not { } key)
                continue;
            var owner = vmName ?? owners!.GetValueOrDefault(key.Port);
            if (VfpRuleKey.TryParse(cluster, item.Key) is null)
            {
                rows.Add(new RuleListing(key.Port, key.Switch, owner, key.Id, null, null, null, 0, null, null, VfpRuleKey.BadId(item.Key, key)));
                continue;
            }
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

    private async Task<(StoredRecord<VmDocument> Vm, VmAdapterDocument Adapter)> PortAsync(string portName, CancellationToken cancel)
    {
        CheckPortName(portName);
        foreach (var vm in StoredRecords.Check(cluster, [], (await store.RangeAsync(VmPrefix, cancel)).Items).Vms)
            if (vm.Document.Adapters.FirstOrDefault(a => string.Equals(a.PortName, portName, StringComparison.OrdinalIgnoreCase)) is { } adapter)
                return (vm, adapter);
        throw await NoPortAsync(portName, cancel);
    }

    /// <summary>Switch <paramref name="name"/>'s record; an unknown one is refused, naming <paramref name="option"/> when the name came from one.</summary>
    private async Task<(SwitchDocument Document, long Revision)> SwitchAsync(string name, CancellationToken cancel, string? option = null)
    {
        CheckName("switch", name);
        var item = (await store.GetAsync(SwitchPrefix + name, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"{(option is null ? "" : $"{option}: ")}no switch '{name}' (pd vswitch create makes one).");
        return StoredRecords.SwitchProblem(item, name, out var document) is { } problem
            ? throw new VSwitchRefusedException($"{problem} (pd vswitch rm {name} removes the record).")
            : (document!, item.ModRevision);
    }

    private async Task<(VmDocument Document, long Revision)> VmAsync(string name, CancellationToken cancel)
    {
        CheckName("VM", name);
        var item = (await store.GetAsync(VmPrefix + name, cancel)).Items.FirstOrDefault()
            ?? throw new VSwitchRefusedException($"no VM '{name}' (pd vm adapter add makes one).");
        var others = StoredRecords.Check(cluster, [], (await store.RangeAsync(VmPrefix, cancel)).Items).Vms.Select(v => v.Document).Where(v => v.Name != name);
        return StoredRecords.VmProblem(item, name, others, out var document) is { } problem
            ? throw new VSwitchRefusedException($"{problem} (pd vm rm {name} removes the record).")
            : (document!, item.ModRevision);
    }

    private async Task<long> CommitAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then, CancellationToken cancel)
    {
        var txn = await store.TxnAsync(when, then, cancel: cancel);
        return txn.Succeeded ? txn.Revision : throw new VSwitchRefusedException("the switch's records changed while this change was checked; nothing was written, run it again.");
    }

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

    /// <summary>The document <paramref name="json"/> stored under <paramref name="key"/> reads as; one that does not, or of another schema version, is refused naming the key.</summary>
    internal static T Read<T>(string json, JsonTypeInfo<T> type, string key) where T : class
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

    /// <summary>Refuses <paramref name="name"/> unless it is a <paramref name="what"/> name (a switch, a VM: a store key segment, <see cref="ClusterNames.Rule"/>).</summary>
    public static void CheckName(string what, string name)
    {
        if (VSwitchRecords.NameProblem(what, name) is { } problem)
            throw new VSwitchRefusedException(problem);
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
}
