using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;

namespace PdCluster.Provider.Simulated;

/// <summary>Provider <c>simulated</c>: a <see cref="SoftNic"/> in a <see cref="SoftNicLab"/>, opened as a <see cref="SimulatedProvider"/>.</summary>
public sealed class SimulatedProviderFactory : IPdProviderFactory
{
    /// <inheritdoc/>
    public string Name => "simulated";

    /// <inheritdoc/>
    public AdapterInfo Describe(PdAdapterOptions options) => Port(options).Info;

    /// <inheritdoc/>
    public PdAdapter Bind(PdAdapterOptions options)
    {
        var simulated = Port(options);
        var lab = new SoftNicLab(simulated.Info, simulated.Flows, simulated.RatePps);
        var nic = lab.Adapter;
        return new PdAdapter(nic.Info, () => new SimulatedProvider(nic, options.Requirements), nic, nic, lab.Generator is null ? null : lab, lab);
    }

    private static SimulatedAdapterOptions Port(PdAdapterOptions options) =>
        options.Simulated ?? throw new PdAdapterOptionsException($"{options.Name}: provider simulated needs a \"simulated\" port.");
}
