using PdCluster.Provider;

namespace PdCluster.VSwitch;

/// <summary>A running VM with one network adapter: the switch's side of its interface opens as a PD provider. Disposing stops the VM and removes what starting it made.</summary>
public interface IVm : IDisposable
{
    /// <summary>The VM's name.</summary>
    string Name { get; }

    /// <summary>Opens the switch's side of the VM's interface.</summary>
    IPdProvider OpenPort();
}
