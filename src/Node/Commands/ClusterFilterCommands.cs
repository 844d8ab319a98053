using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PdCluster.Actors.Framework;
using PdCluster.Node.ClusterAccess;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd filter add | rm | ls | show</c>: the cluster's filters, through <see cref="IClusterCatalog"/>.</summary>
internal static class ClusterFilterCommands
{
    /// <summary>How long <c>add --wait</c> waits by default.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private const string CommandLine = "the command line";

    public static IEnumerable<Command> Create() => [Add(), Remove(), List(), Show()];

    private static Command Add()
    {
        var file = new Argument<FileInfo?>("file") { Description = "A cluster filter document: {\"schemaVersion\":1,\"filter\":{…},\"scope\":{…}} (or give --id, --match, --action).", Arity = ArgumentArity.ZeroOrOne };
        var id = new Option<string?>("--id") { Description = $"The filter's id: {ClusterNames.Rule}." };
        var match = new Option<string?>("--match") { Description = "Conditions, field=value joined by ',' (e.g. protocol=tcp,destinationPort=80); none matches everything." };
        var action = new Option<string?>("--action") { Description = "count, drop, os or steer." };
        var queue = new Option<int?>("--queue") { Description = "The PD queue: steered to in the adapter (count, drop), or handed to in software (steer)." };
        var priority = new Option<int?>("--priority") { Description = "0 or more; lower applies first (default 0)." };
        var scope = new Option<string[]>("--scope") { Description = "node:NAME or label:LABEL, repeatable (default: every adapter of every node).", AllowMultipleArgumentsPerToken = false };
        var wait = new Option<bool>("--wait") { Description = "Return once every live node in scope has applied the filter." };
        var timeout = Seconds("--timeout", $"How long --wait waits, in seconds (default {DefaultWait.TotalSeconds:0}).");
        var output = CommonOptions.Output();
        var command = new Command("add", "Write a cluster filter (checked here first); returns once the write is committed, with --wait once every node in scope applied it.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { id, match, action, queue, priority, scope, wait, timeout, output })
            command.Options.Add(o);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) =>
        {
            var fromFile = result.GetValue(file);
            var given = result.GetValue(id) is not null || result.GetValue(match) is not null || result.GetValue(action) is not null
                || result.GetValue(queue) is not null || result.GetValue(priority) is not null || result.GetValue(scope) is { Length: > 0 };
            ClusterFilter filter;
            if (fromFile is not null && given)
                return Task.FromResult(CommonOptions.Fail("give a FILE or --id/--match/--action/--queue/--priority/--scope, not both."));
            if (fromFile is null && result.GetValue(id) is null)
                return Task.FromResult(CommonOptions.Fail("give a FILE, or --id and --action (with --match, --queue, --priority, --scope as needed)."));
            try
            {
                filter = fromFile is not null
                    ? ClusterFilter.Read(InputFile.ReadAllText(fromFile.FullName), fromFile.FullName)
                    : ClusterFilter.Read(Document(result.GetValue(id)!, result.GetValue(match), result.GetValue(action), result.GetValue(queue), result.GetValue(priority), result.GetValue(scope) ?? []), CommandLine);
            }
            catch (Exception e) when (e is FilterSpecException or InputException)
            {
                return Task.FromResult(CommonOptions.Fail(e.Message));
            }
            return store.RunAsync(result, catalog => AddAsync(catalog, filter, result.GetValue(wait) ? result.GetValue(timeout) ?? DefaultWait : null, result.GetValue(output) == "json", cancel));
        });
        return command;
    }

    /// <summary>The document the options describe; what is wrong in it is found by <see cref="ClusterFilter.Read"/>, which names the key.</summary>
    internal static string Document(string id, string? match, string? action, int? queue, int? priority, IReadOnlyList<string> scope)
    {
        var filter = new JsonObject { ["id"] = id };
        if (priority is { } p)
            filter["priority"] = p;
        if (action is not null)
            filter["action"] = action;
        if (queue is { } q)
            filter["queue"] = q;
        if (!string.IsNullOrEmpty(match))
        {
            var conditions = new JsonObject();
            foreach (var condition in match.Split(','))
            {
                var at = condition.IndexOf('=');
                if (at <= 0)
                    throw new FilterSpecException($"--match: '{condition}' is not field=value (e.g. destinationPort=80).");
                var field = condition[..at].Trim();
                if (conditions.ContainsKey(field))
                    throw new FilterSpecException($"--match: {field} is given twice; a filter matches a field once.");
                conditions[field] = condition[(at + 1)..].Trim();
            }
            filter["match"] = conditions;
        }
        var document = new JsonObject { ["schemaVersion"] = ClusterFilter.CurrentSchemaVersion, ["filter"] = filter };
        if (scope.Count > 0)
        {
            var nodes = new JsonArray();
            var labels = new JsonArray();
            foreach (var s in scope)
            {
                if (s.StartsWith("node:", StringComparison.Ordinal))
                    nodes.Add(s["node:".Length..]);
                else if (s.StartsWith("label:", StringComparison.Ordinal))
                    labels.Add(s["label:".Length..]);
                else
                    throw new FilterSpecException($"--scope: '{s}' is not node:NAME or label:LABEL.");
            }
            var scoped = new JsonObject();
            if (nodes.Count > 0)
                scoped["nodes"] = nodes;
            if (labels.Count > 0)
                scoped["adapterLabels"] = labels;
            document["scope"] = scoped;
        }
        return document.ToJsonString();
    }

    private static async Task<int> AddAsync(IClusterCatalog catalog, ClusterFilter filter, TimeSpan? wait, bool json, CancellationToken cancel)
    {
        var revision = await catalog.PutFilterAsync(filter, cancel);
        IReadOnlyList<string>? appliedOn = null;
        var code = ExitCode.Ok;
        if (wait is { } timeout)
            (code, appliedOn) = await WaitAsync(catalog, filter, revision, timeout, cancel);
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new FilterAdded(filter.Id, revision, appliedOn), ClusterCommandJson.Default.FilterAdded));
        else
            Console.WriteLine(appliedOn is null
                ? $"filter {filter.Id} written at revision {revision}"
                : $"filter {filter.Id} written at revision {revision}; applied on {(appliedOn.Count == 0 ? "no node yet" : string.Join(", ", appliedOn))}");
        return code;
    }

    /// <summary>Polls the nodes' statuses until every live node in scope has applied <paramref name="revision"/> (exit 0), one refused the filter, or time ran out (exit 1).</summary>
    private static async Task<(int Code, IReadOnlyList<string> AppliedOn)> WaitAsync(IClusterCatalog catalog, ClusterFilter filter, long revision, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = await catalog.ViewAsync(cancel);
            var inScope = view.Members.Select(m => m.Node).Where(filter.MayApplyTo).ToList();
            var statuses = view.Statuses.ToDictionary(s => s.Node);
            var applied = inScope.Where(n => statuses.GetValueOrDefault(n)?.Filters?.AppliedRevision >= revision).ToList();
            var refused = applied.SelectMany(n => statuses[n].Filters!.Rejected.Where(r => r.Id == filter.Id || r.Id == "*").Select(r => $"{n}{(r.Adapter is null ? "" : $"/{r.Adapter}")}: {r.Error}")).ToList();
            if (refused.Count > 0)
                return (CommonOptions.Failure($"filter {filter.Id} (revision {revision}) was refused: {string.Join("; ", refused)}"), applied);
            if (applied.Count == inScope.Count)
                return (ExitCode.Ok, applied);
            if (DateTime.UtcNow >= deadline)
                return (CommonOptions.Failure($"filter {filter.Id} (revision {revision}) was not applied within {timeout.TotalSeconds:0.#} s by {string.Join(", ", inScope.Except(applied))}."), applied);
            await Task.Delay(50, cancel);
        }
    }

    private static Command Remove()
    {
        var id = new Argument<string>("id") { Description = "The filter's id." };
        var command = new Command("rm", "Delete a cluster filter; every node drops it at the revision of the delete.");
        command.Arguments.Add(id);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) => store.RunAsync(result, async catalog =>
        {
            var name = result.GetValue(id)!;
            if (await catalog.DeleteFilterAsync(name, cancel) is not { } revision)
                return CommonOptions.Fail($"no cluster filter '{name}'.");
            Console.WriteLine($"filter {name} deleted at revision {revision}");
            return ExitCode.Ok;
        }));
        return command;
    }

    private static Command List() => ClusterOptions.Reading("ls", "List the cluster's filters.",
        async (catalog, _, cancel) => await catalog.FiltersAsync(cancel), ClusterCommandJson.Default.IReadOnlyListStoredFilter, filters =>
        {
            var table = new Table().AddColumns("id", "priority", "action", "queue", "match", "scope", "revision");
            foreach (var f in filters)
            {
                var revision = f.Revision.ToString(CultureInfo.InvariantCulture);
                if (f.Error is not null)
                {
                    table.AddRow(Markup.Escape(f.Id), "", "", "", "[red]" + Markup.Escape(f.Error) + "[/]", "", revision);
                    continue;
                }
                var filter = ClusterFilter.Read(f.Document, f.Id, f.Id);
                table.AddRow(Markup.Escape(f.Id), filter.Filter.Priority.ToString(CultureInfo.InvariantCulture), filter.Filter.Action.ToString().ToLowerInvariant(),
                    filter.Filter.Queue?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(Conditions(filter.Filter)), Markup.Escape(Scope(filter.Scope)), revision);
            }
            return table;
        });

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The filter's id." };
        return ClusterOptions.Reading("show", "Show one cluster filter as stored, with its revision.",
            (catalog, result, cancel) => catalog.FilterAsync(result.GetValue(id)!, cancel), ClusterCommandJson.Default.StoredFilter, stored =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                grid.AddRow("id", Markup.Escape(stored.Id));
                grid.AddRow("revision", stored.Revision.ToString(CultureInfo.InvariantCulture));
                if (stored.Error is not null)
                    grid.AddRow("error", "[red]" + Markup.Escape(stored.Error) + "[/]");
                grid.AddRow("document", Markup.Escape(stored.Document));
                return grid;
            }, id, result => $"no cluster filter '{result.GetValue(id)}'.");
    }

    private static string Conditions(FilterSpec filter) =>
        filter.Match is { Count: > 0 } match ? string.Join(",", match.Select(m => $"{m.Key}={m.Value}")) : "(everything)";

    private static string Scope(ClusterFilterScope? scope)
    {
        var parts = (scope?.Nodes ?? []).Select(n => $"node:{n}").Concat((scope?.AdapterLabels ?? []).Select(l => $"label:{l}")).ToList();
        return parts.Count == 0 ? "all" : string.Join(" ", parts);
    }

    /// <summary>A number of seconds above 0 and at most a day, else a usage error.</summary>
    private static Option<TimeSpan?> Seconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0 && seconds <= 86400)
                return TimeSpan.FromSeconds(seconds);
            result.AddError($"{name}: '{text}' is not a number of seconds above 0 and at most 86400 (a day).");
            return null;
        },
    };
}
