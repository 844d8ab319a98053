using System.Text.Json;
using PdCluster.Queues.Packets;

namespace PdCluster.Queues.Classification;

/// <summary>
/// A receive filter as operators write it in JSON: an id, a priority (lower applies first), an action, an optional
/// hardware target queue and filter context, and a match object whose keys are <see cref="MatchField"/> names in
/// camelCase and whose values use <see cref="FieldMatchSyntax"/>, for example
/// <c>{"id":"web","priority":5,"action":"count","queue":1,"match":{"protocol":"tcp","destinationPort":"80"}}</c>.
/// </summary>
public sealed class FilterSpec
{
    /// <summary>Unique name of the filter.</summary>
    public required string Id { get; init; }

    /// <summary>Lower values apply first.</summary>
    public int Priority { get; init; }

    /// <summary>What the software pipeline does on a match.</summary>
    public FilterAction Action { get; init; } = FilterAction.Count;

    /// <summary>
    /// Receive queue matches go to: the adapter steers them there in hardware, and the <see cref="FilterAction.Steer"/>
    /// action hands them over in software when they arrive on another queue.
    /// </summary>
    public int? Queue { get; init; }

    /// <summary>PD's RxFilterContext reported with each matching packet.</summary>
    public ulong Context { get; init; }

    /// <summary>Field name to condition text; every condition must hold. Absent or empty matches everything.</summary>
    public Dictionary<string, string>? Match { get; init; }

    /// <summary>The parsed conditions; throws <see cref="FilterSpecException"/> naming the filter, key and problem.</summary>
    public IReadOnlyList<FieldMatch> ParseMatches()
    {
        var matches = new List<FieldMatch>();
        foreach (var (key, text) in Match ?? [])
        {
            if (!Enum.TryParse<MatchField>(key, ignoreCase: true, out var field) || !Enum.IsDefined(field) || int.TryParse(key, out _))
                throw new FilterSpecException($"filter '{Id}': '{key}' is not a match field (known: {string.Join(", ", Enum.GetNames<MatchField>().Select(JsonNamingPolicy.CamelCase.ConvertName))}).");
            try
            {
                matches.Add(FieldMatchSyntax.Parse(field, text));
            }
            catch (FilterSpecException e)
            {
                throw new FilterSpecException($"filter '{Id}': {e.Message}");
            }
        }
        return matches;
    }

    /// <summary>The classifier rule of this filter.</summary>
    public ClassifierRule ToRule() => new(Priority, ParseMatches());

    /// <summary>Reads a JSON array of filters; <paramref name="source"/> names the input in errors. Ids must be unique.</summary>
    public static IReadOnlyList<FilterSpec> ReadList(string json, string source)
    {
        List<FilterSpec>? specs;
        try
        {
            specs = JsonSerializer.Deserialize(json, FilterSpecJson.Default.ListFilterSpec);
        }
        catch (JsonException e)
        {
            throw new FilterSpecException($"{source}: {e.Message}");
        }
        if (specs is null)
            throw new FilterSpecException($"{source}: expected a JSON array of filters.");
        var ids = new HashSet<string>();
        foreach (var spec in specs)
        {
            if (string.IsNullOrWhiteSpace(spec.Id))
                throw new FilterSpecException($"{source}: every filter needs an 'id'.");
            if (!ids.Add(spec.Id))
                throw new FilterSpecException($"{source}: filter id '{spec.Id}' appears twice.");
            if (spec.Action == FilterAction.Steer && spec.Queue is null)
                throw new FilterSpecException($"{source}: filter '{spec.Id}': action steer needs a \"queue\" to steer to.");
            try
            {
                spec.ToRule().Validate();
            }
            catch (FilterSpecException e)
            {
                throw new FilterSpecException($"{source}: {e.Message}");
            }
        }
        return specs;
    }
}
