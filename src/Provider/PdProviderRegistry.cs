using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Provider.Simulated;

namespace PdCluster.Provider;

/// <summary>The provider kinds a node knows, by name.</summary>
public sealed class PdProviderRegistry
{
    private readonly Dictionary<string, IPdProviderFactory> _factories;

    /// <summary>A registry of <paramref name="factories"/>; names must be unique.</summary>
    public PdProviderRegistry(IEnumerable<IPdProviderFactory> factories) =>
        _factories = factories.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Every provider this build has.</summary>
    public static PdProviderRegistry Default { get; } = new([new SimulatedProviderFactory(), new AfXdpProviderFactory(), new AfPacketProviderFactory(), new AutoProviderFactory()]);

    /// <summary>The names, in order.</summary>
    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The factory named <paramref name="name"/>, if there is one.</summary>
    public IPdProviderFactory? Find(string name) => _factories.GetValueOrDefault(name);

    /// <summary>The factory named <paramref name="name"/>; throws <see cref="PdAdapterOptionsException"/> listing the known names.</summary>
    public IPdProviderFactory Get(string name) =>
        Find(name) ?? throw new PdAdapterOptionsException($"'{name}' is not a provider this node has (known: {string.Join(", ", Names)}).");
}
