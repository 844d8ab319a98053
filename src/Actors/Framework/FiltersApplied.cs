namespace PdCluster.Actors.Framework;

/// <summary>
/// An adapter has a published filter set in force: its receive filters are set and every running queue confirmed
/// the new table. An adapter whose data path is closed keeps the set and installs it when it opens again.
/// </summary>
/// <param name="Revision">The set's <see cref="DataPath.CompiledFilterSet.Revision"/>.</param>
/// <param name="Filters">How many filters the set has.</param>
public sealed record FiltersApplied(string Adapter, long Revision, int Filters);
