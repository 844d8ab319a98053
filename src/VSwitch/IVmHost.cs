namespace PdCluster.VSwitch;

/// <summary>Where VMs run: starting one brings its interface up with the adapter's static MAC.</summary>
public interface IVmHost
{
    /// <summary>Starts the VM <paramref name="spec"/> describes.</summary>
    IVm Start(VmSpec spec);

    /// <summary>The address (CIDR) the interface of the VM <paramref name="spec"/> describes gets, or null: what the switch announces for it when its external port moves.</summary>
    string? AddressOf(VmSpec spec) => spec.Address;
}
