using PdCluster.Queues.Classification;

namespace PdCluster.DataPath;

/// <summary>
/// The hardware part of a filter: the receive filter the adapter sets to steer matches to <paramref name="Queue"/>
/// before RSS. Two are equal when the adapter would do the same with them (same id, conditions, priority, queue and
/// context), which is what "unchanged" means when a new set is published.
/// </summary>
/// <param name="Id">The filter's id.</param>
/// <param name="Matches">The parsed conditions, all of which must hold.</param>
/// <param name="Priority">Lower applies first.</param>
/// <param name="Queue">The receive queue matches go to.</param>
/// <param name="Context">PD's RxFilterContext reported with each matching packet.</param>
public sealed record HardwareFilter(string Id, IReadOnlyList<FieldMatch> Matches, int Priority, int Queue, ulong Context)
{
    /// <summary>Compares every field, the conditions one by one.</summary>
    public bool Equals(HardwareFilter? other) =>
        other is not null && Id == other.Id && Priority == other.Priority && Queue == other.Queue && Context == other.Context
        && Matches.SequenceEqual(other.Matches);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Priority, Queue, Context, Matches.Count);
}
