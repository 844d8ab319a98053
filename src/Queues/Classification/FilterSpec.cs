using System.Text.Json;
using PdCluster.Queues.Input;
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

    private static readonly Dictionary<string, MatchField> MatchFieldNames =
        Enum.GetValues<MatchField>().ToDictionary(f => f.ToString(), StringComparer.OrdinalIgnoreCase);

    /// <summary>The parsed conditions; throws <see cref="FilterSpecException"/> naming the filter, key and problem.</summary>
    public IReadOnlyList<FieldMatch> ParseMatches() =>
        ParseMatches((key, problem) => new FilterSpecException($"filter '{Id}': {key}: {problem}", problem));

    /// <summary>The classifier rule of this filter.</summary>
    public ClassifierRule ToRule() => new(Priority, ParseMatches());

    /// <summary>
    /// Reads a JSON array of filters; <paramref name="source"/> names the input in errors. Every error names the
    /// source, the key (<c>[2].match.destinationPort</c>), the filter's id when it has one, and the problem.
    /// </summary>
    public static IReadOnlyList<FilterSpec> ReadList(string json, string source)
    {
        List<FilterSpec> specs;
        try
        {
            specs = JsonInput.Read(json, FilterSpecJson.Default.ListFilterSpec, source);
        }
        catch (InputException e)
        {
            throw new FilterSpecException(e.Message, e.Problem);
        }
        var ids = new Dictionary<string, int>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (!string.IsNullOrWhiteSpace(spec.Id) && !ids.TryAdd(spec.Id, i))
                throw Fail(source, $"[{i}].id", null, $"'{spec.Id}' appears twice (also [{ids[spec.Id]}].id); ids must be unique.");
            spec.Check(source, $"[{i}]");
        }
        return specs;
    }

    /// <summary>
    /// Checks one filter as read from <paramref name="source"/> at key <paramref name="at"/> (<c>[2]</c>, <c>filter</c>):
    /// an id, a priority of 0 or more, a queue of 0 or more (required by steer) and conditions that parse. The
    /// <see cref="FilterSpecException"/> names the source, the key, the filter's id and the problem.
    /// </summary>
    public void Check(string source, string at)
    {
        if (string.IsNullOrWhiteSpace(Id))
            throw Fail(source, $"{at}.id", null, "must name the filter (it is empty).");
        if (Priority < 0)
            throw Fail(source, $"{at}.priority", Id, $"must be 0 or more (got {Priority}); lower applies first.");
        if (Queue < 0)
            throw Fail(source, $"{at}.queue", Id, $"must be a queue number, 0 or more (got {Queue}).");
        if (Action == FilterAction.Steer && Queue is null)
            throw Fail(source, $"{at}.queue", Id, "action steer needs a \"queue\" to steer to.");
        ParseMatches((key, problem) => Fail(source, $"{at}.{key}", Id, problem));
    }

    private List<FieldMatch> ParseMatches(Func<string, string, FilterSpecException> fail) => ParseMatch(Match, fail);

    /// <summary>
    /// Parses a match object (field name to condition text) as a filter's <see cref="Match"/> is read, for any
    /// document that matches packets; <paramref name="fail"/> makes the error from the key (<c>match.destinationPort</c>) and the problem.
    /// </summary>
    public static List<FieldMatch> ParseMatch(IReadOnlyDictionary<string, string>? match, Func<string, string, Exception> fail)
    {
        var matches = new List<FieldMatch>();
        var fields = new Dictionary<MatchField, string>();
        foreach (var (key, text) in match ?? new Dictionary<string, string>())
        {
            // One field's name, whole: Enum.TryParse would also take "a,b" (their values or-ed), numbers and padding.
            if (!MatchFieldNames.TryGetValue(key, out var field))
                throw fail($"match.{key}", $"is not a match field (known: {string.Join(", ", Enum.GetNames<MatchField>().Select(JsonNamingPolicy.CamelCase.ConvertName))}).");
            if (!fields.TryAdd(field, key))
                throw fail($"match.{key}", $"matches the same field as match.{fields[field]}; a filter matches a field once.");
            try
            {
                matches.Add(FieldMatchSyntax.Parse(field, text));
            }
            catch (FilterSpecException e)
            {
                throw fail($"match.{key}", e.Problem);
            }
            if (matches[^1].Header is PacketHeaders.Ipv4 or PacketHeaders.Ipv6 or PacketHeaders.InnerIpv4 or PacketHeaders.InnerIpv6
                && FamilyConflicts.MappedAddress(text) is { } mapped)
                throw fail($"match.{key}", mapped);
        }
        if (FamilyConflicts.Icmp(matches, fields) is var (conflict, problem))
            throw fail($"match.{fields[conflict]}", problem);
        return matches;
    }

    private static FilterSpecException Fail(string source, string key, string? id, string problem) =>
        new($"{source}: {key}{(id is null ? "" : $" (filter '{id}')")}: {problem}", problem);
}
