using System.Text.Json;
using System.Text.Json.Serialization;
using PdCluster.DataPath;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;

namespace PdCluster.Actors.Framework;

/// <summary>
/// A receive filter the whole cluster shares, stored under <c>/pd/&lt;cluster&gt;/filters/&lt;id&gt;</c> as
/// <c>{"schemaVersion":1,"filter":{…},"scope":{"nodes":[…],"adapterLabels":[…]}}</c>: the filter (match, action,
/// queue, priority) as a filter file writes it, and where it applies.
/// </summary>
public sealed class ClusterFilter
{
    /// <summary>The schema this build writes and the newest it reads.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The document's schema; a newer one than <see cref="CurrentSchemaVersion"/> is refused, never half read.</summary>
    public required int SchemaVersion { get; init; }

    /// <summary>The receive filter and its action.</summary>
    public required FilterSpec Filter { get; init; }

    /// <summary>Where it applies (omitted: every adapter of every node).</summary>
    public ClusterFilterScope? Scope { get; init; }

    /// <summary>The filter's id (and the last segment of its key).</summary>
    [JsonIgnore]
    public string Id => Filter.Id;

    /// <summary>Whether the filter applies to an adapter with <paramref name="labels"/> on <paramref name="node"/>.</summary>
    public bool AppliesTo(string node, IReadOnlyCollection<string> labels) => Scope?.Covers(node, labels) ?? true;

    /// <summary>Whether the filter applies to some adapter of <paramref name="node"/>, or may (a label scope names adapters, not nodes).</summary>
    public bool MayApplyTo(string node) => Scope?.CoversNode(node) ?? true;

    /// <summary>The document as it is stored.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ClusterFilterJson.Default.ClusterFilter);

    /// <summary>
    /// Reads and checks a stored or hand-written document; <paramref name="source"/> (a key or a file) names it in
    /// errors, and <paramref name="expectedId"/>, when given, is the id its key names. Every problem is a
    /// <see cref="FilterSpecException"/> naming the source, the key path and the problem.
    /// </summary>
    public static ClusterFilter Read(string json, string source, string? expectedId = null)
    {
        ClusterFilter filter;
        try
        {
            filter = JsonInput.Read(json, ClusterFilterJson.Default.ClusterFilter, source, root => RefuseNewerSchema(root, source));
        }
        catch (InputException e)
        {
            throw new FilterSpecException(e.Message, e.Problem);
        }
        if (filter.SchemaVersion < 1)
            throw Fail(source, "schemaVersion", $"must be {(CurrentSchemaVersion == 1 ? "1" : $"1 to {CurrentSchemaVersion}")} (got {filter.SchemaVersion}).");
        filter.Filter.Check(source, "filter");
        if (!ClusterNames.IsName(filter.Id))
            throw Fail(source, "filter.id", $"'{filter.Id}' is not a cluster filter id: {ClusterNames.Rule} (it is the last segment of the filter's key).");
        if (expectedId is not null && filter.Id != expectedId)
            throw Fail(source, "filter.id", $"'{filter.Id}' differs from the id its key names ('{expectedId}').");
        filter.Scope?.Check(source);
        try
        {
            CompiledFilterSet.Check(filter.Filter);
        }
        catch (FilterSpecException e)
        {
            throw Fail(source, "filter", e.Message);
        }
        return filter;
    }

    /// <summary>A document from a newer pd is refused as such, before its unknown keys could be taken for typos.</summary>
    private static void RefuseNewerSchema(JsonElement root, string source)
    {
        if (JsonInput.NewerSchemaVersion(root, CurrentSchemaVersion) is { } number)
            throw Fail(source, "schemaVersion", $"{number} is newer than this pd reads ({CurrentSchemaVersion}); upgrade pd on this node to read it.");
    }

    internal static FilterSpecException Fail(string source, string key, string problem) => new($"{source}: {key}: {problem}", problem);
}
