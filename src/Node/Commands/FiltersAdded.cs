namespace PdCluster.Node.Commands;

/// <summary>
/// What the bulk form of <c>pd filter add</c> did: how many filters, in how many transactions, how many of those were in
/// flight at most at once, the revisions they committed at and, with <c>--wait</c>, the nodes that applied the last
/// and those that refused one of them, and per node the filters of them no adapter there has a label of.
/// </summary>
internal sealed record FiltersAdded(int Filters, int Transactions, int InFlight, long FirstRevision, long LastRevision, IReadOnlyList<string>? AppliedOn, IReadOnlyList<NodeRefusal>? RefusedOn,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Unmatched = null);
