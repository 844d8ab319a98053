using PdCluster.Actors.Framework;

namespace PdCluster.Node.Commands;

/// <summary>One node in <c>pd node ls</c>: whether it holds a live membership, what it last reported, the items it owns and whether it coordinates.</summary>
internal sealed record NodeRow(string Node, bool Live, string? Admin, DateTimeOffset? Since, long? AppliedRevision, IReadOnlyDictionary<string, AdapterState> Adapters, string? StoreError,
    IReadOnlyList<string> Owns, bool Coordinator);
