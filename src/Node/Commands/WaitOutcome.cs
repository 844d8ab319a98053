namespace PdCluster.Node.Commands;

/// <summary>How a <c>--wait</c> ended: the nodes that applied the change, those that refused the filter, and those that had not applied it when time ran out.</summary>
/// <param name="Unmatched">Per node that applied it, the filters of the change no adapter there has a label of (applied, in force nowhere); nodes with none left out.</param>
internal sealed record WaitOutcome(IReadOnlyList<string> Applied, IReadOnlyList<NodeRefusal> Refused, IReadOnlyList<string> Late, IReadOnlyDictionary<string, IReadOnlyList<string>> Unmatched)
{
    /// <summary>No live node was in the change's scope: nobody to wait for, which a script must not take for applied.</summary>
    public bool NoneInScope => Applied.Count == 0 && Refused.Count == 0 && Late.Count == 0;
}
