using PdCluster.Vfp;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// The switches and VMs of a cluster as <c>pd vswitch</c>, <c>pd vm</c> and <c>pd vfp</c> change them: on the store
/// itself (<see cref="VSwitchCatalog"/>) or through a node's admin endpoint. Each change returns the revision it was
/// written at; bad input is a refusal that writes nothing.
/// </summary>
public interface IVSwitchCatalog
{
    /// <summary>Creates switch <paramref name="name"/> on <paramref name="adapter"/>.</summary>
    Task<long> CreateSwitchAsync(string name, string adapter, bool allowManagementOs, CancellationToken cancel);

    /// <summary>Removes switch <paramref name="name"/>.</summary>
    Task<long> RemoveSwitchAsync(string name, CancellationToken cancel);

    /// <summary>Enables <paramref name="extension"/> on switch <paramref name="name"/>.</summary>
    Task<long> EnableExtensionAsync(string name, string extension, CancellationToken cancel);

    /// <summary>Adds a network adapter to VM <paramref name="vm"/> on switch <paramref name="switchName"/>.</summary>
    Task<long> AddAdapterAsync(string vm, string switchName, string mac, CancellationToken cancel, string? address = null);

    /// <summary>Removes VM <paramref name="vm"/> (a record that does not read too).</summary>
    Task<long> RemoveVmAsync(string vm, CancellationToken cancel);

    /// <summary>Every switch, and each switch record that does not hold.</summary>
    Task<IReadOnlyList<SwitchListing>> ListSwitchesAsync(CancellationToken cancel);

    /// <summary>Every VM, and each VM record that does not hold.</summary>
    Task<IReadOnlyList<VmListing>> ListVmsAsync(CancellationToken cancel);

    /// <summary>Starts or stops VM <paramref name="vm"/>.</summary>
    Task<long> SetRunningAsync(string vm, bool running, CancellationToken cancel);

    /// <summary>Disables VFP on port <paramref name="portName"/>, or enables it again.</summary>
    Task<long> SetPortDisabledAsync(string portName, bool disabled, CancellationToken cancel);

    /// <summary>Every port of every switch.</summary>
    Task<IReadOnlyList<PortListing>> ListPortsAsync(CancellationToken cancel);

    /// <summary>Adds <paramref name="rule"/> to port <paramref name="portName"/>.</summary>
    Task<long> AddRuleAsync(string portName, VfpRule rule, CancellationToken cancel);

    /// <summary>Removes rule <paramref name="id"/> from port <paramref name="portName"/>.</summary>
    Task<long> RemoveRuleAsync(string portName, string id, CancellationToken cancel);

    /// <summary>The stored rules of every port, or of port <paramref name="portName"/>.</summary>
    Task<IReadOnlyList<RuleListing>> ListRulesAsync(string? portName, CancellationToken cancel);
}
