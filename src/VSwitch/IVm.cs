using PdCluster.Provider;

namespace PdCluster.VSwitch;

/// <summary>A running VM with one network adapter: the switch's side of its interface opens as a PD provider. Disposing stops the VM and removes what starting it made.</summary>
public interface IVm : IDisposable
{
    /// <summary>The VM's name.</summary>
    string Name { get; }

    /// <summary>The providers that can open the switch's side of the VM's interface, the preferred first; the port takes the first that opens with its queues.</summary>
    IReadOnlyList<string> PortProviders { get; }

    /// <summary>Opens the switch's side of the VM's interface with <paramref name="provider"/>, one of <see cref="PortProviders"/>.</summary>
    IPdProvider OpenPort(string provider);
}
