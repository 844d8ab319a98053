using PdCluster.Nic.Adapters;

namespace PdCluster.Provider;

/// <summary>
/// One kind of PD provider, chosen by name in a node's configuration (<c>adapters[].provider</c>). A new provider is
/// one class implementing this plus one line in <see cref="PdProviderRegistry.Default"/>.
/// </summary>
public interface IPdProviderFactory
{
    /// <summary>The name configurations use, e.g. <c>simulated</c>.</summary>
    string Name { get; }

    /// <summary>What the adapter described by <paramref name="options"/> is, without binding it (for listings).</summary>
    AdapterInfo Describe(PdAdapterOptions options);

    /// <summary>Binds the adapter described by <paramref name="options"/>; throws <see cref="PdAdapterOptionsException"/> naming what is missing.</summary>
    PdAdapter Bind(PdAdapterOptions options);
}
