using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>A queue actor's software table now runs <paramref name="Filters"/>.</summary>
public sealed record FiltersPublished(int Queue, CompiledFilterSet Filters);
