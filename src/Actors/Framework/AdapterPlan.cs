using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>What a <see cref="FilterAgent"/> publishes to one adapter: the cluster filters in its scope, those it refused before, and the set it was last given.</summary>
internal sealed record AdapterPlan(FilterTarget Target, IReadOnlyList<DesiredFilter> InScope, IReadOnlyDictionary<string, AdapterRefusal> Refused, CompiledFilterSet? Previous);
