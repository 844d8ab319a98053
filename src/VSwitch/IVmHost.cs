namespace PdCluster.VSwitch;

/// <summary>Where VMs run: starting one brings its interface up with the adapter's static MAC.</summary>
public interface IVmHost
{
    /// <summary>Starts the VM <paramref name="spec"/> describes.</summary>
    IVm Start(VmSpec spec);
}
