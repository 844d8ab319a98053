using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;

namespace PdCluster.Provider.Simulated;

/// <summary>A simulated port: what it claims to be, and the flows its tester sends at <paramref name="RatePps"/> packets/s.</summary>
public sealed record SimulatedAdapterOptions(AdapterInfo Info, IReadOnlyList<GeneratorFlow> Flows, long RatePps);
