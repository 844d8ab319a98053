using PdCluster.DataPath;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Puts <paramref name="Filters"/> in force. To an adapter supervisor: its receive filters change by a diff and every
/// queue swaps its software table; the publisher gets <see cref="FiltersApplied"/>, or a <c>StatusFailure</c> naming the
/// filter and the problem while the last good set stays in force. To a queue actor: its table, from its next burst;
/// it answers <see cref="FiltersPublished"/>.
/// </summary>
public sealed record PublishFilters(CompiledFilterSet Filters);
