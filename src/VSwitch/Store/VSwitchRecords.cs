using PdCluster.Actors.Framework;
using PdCluster.Nic.Adapters;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// The checks a switch or VM record passes, the same whoever wrote it: <see cref="VSwitchCatalog"/> before it writes one
/// (naming the command's option) and <see cref="VSwitchAgent"/> and the listings before they take one from the store
/// (naming the record's field). Each answers the problem, or null for none.
/// </summary>
public static class VSwitchRecords
{
    /// <summary>What is wrong with a switch record stored under name <paramref name="name"/>, or null.</summary>
    public static string? SwitchProblem(string name, SwitchDocument document) =>
        NameProblem("switch", name)
        ?? (document.Name != name ? $"name: '{document.Name}' is not the key's name '{name}'." : null)
        ?? (NameProblem("adapter", document.Adapter) is { } adapter ? $"adapter: {adapter}" : null);

    /// <summary>
    /// What is wrong with a VM record stored under name <paramref name="name"/>, beside the VMs <paramref name="others"/>
    /// in force, or null: a bad name, MAC, port name or address, or a port name or MAC another VM has.
    /// </summary>
    public static string? VmProblem(string name, VmDocument document, IEnumerable<VmDocument> others)
    {
        if (NameProblem("VM", name) is { } bad)
            return bad;
        if (document.Name != name)
            return $"name: '{document.Name}' is not the key's name '{name}'.";
        var taken = others.Where(o => o.Name != name).ToList();
        for (var i = 0; i < document.Adapters.Count; i++)
        {
            var adapter = document.Adapters[i];
            var field = $"adapters[{i}]";
            if (NameProblem("switch", adapter.Switch) is { } sw)
                return $"{field}.switch: {sw}";
            if (NameProblem("port", adapter.PortName) is { } port)
                return $"{field}.portName: {port}";
            if (!AdapterInfo.TryParseMac(adapter.StaticMac, out var mac))
                return $"{field}.staticMac: '{adapter.StaticMac}' is not a MAC address.";
            if (MacProblem(mac) is { } unicast)
                return $"{field}.staticMac: {unicast}";
            if (adapter.Address is { } address && !IsAddressWithPrefix(address))
                return $"{field}.address: '{address}' is not an address with a prefix length.";
            if (document.Adapters.Take(i).Any(a => SamePort(a.PortName, adapter.PortName) || SameMac(a.StaticMac, mac)))
                return $"{field}: its port name or MAC is the VM's own adapter's too.";
            if (PortOwner(taken, adapter.PortName) is { } holder)
                return $"{field}.portName: {adapter.PortName} is already the port of VM {holder.Name}.";
            if (MacOwner(taken, mac) is { } owner)
                return $"{field}.staticMac: {AdapterInfo.FormatMac(mac)} is already the MAC of VM {owner.Vm.Name}'s adapter on switch {owner.Adapter.Switch}.";
        }
        return null;
    }

    /// <summary>Why <paramref name="mac"/> cannot be a VM adapter's MAC (zero or multicast), or null.</summary>
    public static string? MacProblem(ulong mac) =>
        mac == 0 || MacAddresses.IsGroup(mac) ? $"{AdapterInfo.FormatMac(mac)} is a {(mac == 0 ? "zero" : "multicast")} address; a VM adapter's MAC is a unicast one." : null;

    /// <summary>The VM among <paramref name="vms"/> with an adapter whose MAC is <paramref name="mac"/>, and that adapter; null when none has it.</summary>
    public static (VmDocument Vm, VmAdapterDocument Adapter)? MacOwner(IEnumerable<VmDocument> vms, ulong mac) =>
        vms.SelectMany(v => v.Adapters.Select(a => (Vm: v, Adapter: a))).Where(x => SameMac(x.Adapter.StaticMac, mac)).Select(x => ((VmDocument, VmAdapterDocument)?)x).FirstOrDefault();

    /// <summary>The VM among <paramref name="vms"/> with port <paramref name="portName"/> (port names are GUIDs, compared without case), or null.</summary>
    public static VmDocument? PortOwner(IEnumerable<VmDocument> vms, string portName) =>
        vms.FirstOrDefault(v => v.Adapters.Any(a => SamePort(a.PortName, portName)));

    /// <summary>Whether <paramref name="text"/> is an interface address with its prefix length, like 198.18.1.10/15 (host bits allowed).</summary>
    public static bool IsAddressWithPrefix(string text) =>
        text.Split('/') is [var ip, var length] && System.Net.IPAddress.TryParse(ip, out var address) && !ip.Contains('%')
        && int.TryParse(length, System.Globalization.NumberStyles.None, null, out var bits)
        && bits <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    /// <summary>Why <paramref name="name"/> cannot be a <paramref name="what"/> name (a store key segment), or null.</summary>
    public static string? NameProblem(string what, string name) =>
        ClusterNames.IsName(name) ? null : $"'{name}' is not {("aeiou".Contains(what[0]) ? "an" : "a")} {what} name: {ClusterNames.Rule}.";

    private static bool SamePort(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool SameMac(string text, ulong mac) => AdapterInfo.TryParseMac(text, out var other) && other == mac;
}
