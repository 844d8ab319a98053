namespace PdCluster.Node.Commands;

/// <summary>What <c>pd filter add</c> did: the revision of the committed write and, with <c>--wait</c>, the nodes that applied it, those that refused it and those of the applied where no adapter has one of its labels.</summary>
internal sealed record FilterAdded(string Id, long Revision, IReadOnlyList<string>? AppliedOn, IReadOnlyList<NodeRefusal>? RefusedOn, IReadOnlyList<string>? UnmatchedOn = null);
