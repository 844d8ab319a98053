using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Where a <see cref="ClusterFilter"/> applies: on the named nodes (none named: every node), and there on the
/// adapters carrying one of the labels (none named: every adapter). Both given: labelled adapters of those nodes.
/// </summary>
public sealed class ClusterFilterScope
{
    /// <summary>Node names; empty or omitted: every node.</summary>
    public List<string>? Nodes { get; init; }

    /// <summary>Adapter labels (<c>adapters[].labels</c> in node config); an adapter with any of them is in scope. Empty or omitted: every adapter.</summary>
    public List<string>? AdapterLabels { get; init; }

    /// <summary>Whether an adapter with <paramref name="labels"/> on <paramref name="node"/> is in scope.</summary>
    public bool Covers(string node, IReadOnlyCollection<string> labels) =>
        CoversNode(node) && (AdapterLabels is not { Count: > 0 } || AdapterLabels.Any(labels.Contains));

    /// <summary>Whether <paramref name="node"/> is one of the scope's nodes.</summary>
    public bool CoversNode(string node) => Nodes is not { Count: > 0 } || Nodes.Contains(node);

    /// <summary>Every node name and label is a cluster name.</summary>
    internal void Check(string source)
    {
        foreach (var (list, key) in new[] { (Nodes, "scope.nodes"), (AdapterLabels, "scope.adapterLabels") })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (!ClusterNames.IsName(list![i]))
                    throw ClusterFilter.Fail(source, $"{key}[{i}]", $"'{list[i]}' is not a name: {ClusterNames.Rule}.");
            }
        }
    }
}
