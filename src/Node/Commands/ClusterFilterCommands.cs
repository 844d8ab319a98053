using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Node.ClusterAccess;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Input;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd filter add | rm | ls | show</c>: the cluster's filters, through <see cref="IClusterCatalog"/>.</summary>
internal static class ClusterFilterCommands
{
    /// <summary>How long <c>add --wait</c> and <c>rm --wait</c> wait by default.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private const string CommandLine = "the command line";

    /// <summary>How many names a warning lists before it counts the rest.</summary>
    private const int Listed = 10;

    public static IEnumerable<Command> Create() => [Add(), Remove(), List(), Show()];

    private static Command Add()
    {
        var file = new Argument<FileInfo?>("file") { Description = "A cluster filter document: {\"schemaVersion\":1,\"filter\":{…},\"scope\":{…}}, or a JSON list of them, written in bulk (or give --id, --match, --action).", Arity = ArgumentArity.ZeroOrOne };
        var id = new Option<string?>("--id") { Description = $"The filter's id: {ClusterNames.Rule}." };
        var match = new Option<string?>("--match") { Description = "Conditions, field=value joined by ',' (e.g. protocol=tcp,destinationPort=80); none matches everything." };
        var matchAll = new Option<bool>("--match-all") { Description = "No conditions, meant: a drop or steer filter without --match takes every packet (ARP too) on every node in scope, so it asks for this." };
        var action = new Option<string?>("--action") { Description = "count, drop, os or steer." };
        var queue = new Option<int?>("--queue") { Description = "The PD queue: steered to in the adapter (count, drop), or handed to in software (steer)." };
        var priority = new Option<int?>("--priority") { Description = "0 or more; lower applies first (default 0)." };
        var scope = new Option<string[]>("--scope") { Description = "node:NAME or label:LABEL, repeatable (default: every adapter of every node).", AllowMultipleArgumentsPerToken = false };
        var wait = new Option<bool>("--wait") { Description = "Return once every live node in scope has applied the filter." };
        var timeout = Seconds("--timeout", $"How long --wait waits, in seconds (default {DefaultWait.TotalSeconds:0}).");
        var inFlight = InFlight();
        var output = CommonOptions.Output();
        var command = new Command("add", "Write a cluster filter, or a file's list of them (all checked here first); returns once the write is committed, with --wait once every node in scope applied it.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { id, match, matchAll, action, queue, priority, scope, wait, timeout, inFlight, output })
            command.Options.Add(o);
        TimeoutNeedsWait(command, wait, timeout);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) =>
        {
            var fromFile = result.GetValue(file);
            var given = result.GetValue(id) is not null || result.GetValue(match) is not null || result.GetValue(matchAll) || result.GetValue(action) is not null
                || result.GetValue(queue) is not null || result.GetValue(priority) is not null || result.GetValue(scope) is { Length: > 0 };
            if (fromFile is not null && given)
                return Task.FromResult(CommonOptions.Fail("give a FILE or --id/--match/--match-all/--action/--queue/--priority/--scope, not both."));
            if (fromFile is null && result.GetValue(id) is null)
                return Task.FromResult(CommonOptions.Fail("give a FILE, or --id and --action (with --match, --queue, --priority, --scope as needed)."));
            var waitFor = result.GetValue(wait) ? result.GetValue(timeout) ?? DefaultWait : (TimeSpan?)null;
            var json = result.GetValue(output) == "json";
            try
            {
                if (fromFile is null)
                {
                    var filter = ClusterFilter.Read(Document(result.GetValue(id)!, result.GetValue(match), result.GetValue(action), result.GetValue(queue), result.GetValue(priority), result.GetValue(scope) ?? []), CommandLine);
                    if (MatchAllRefusal(filter, result.GetValue(match), result.GetValue(matchAll)) is { } refusal)
                        return Task.FromResult(CommonOptions.Fail(refusal));
                    if (result.GetValue(inFlight) is not null)
                        return Task.FromResult(CommonOptions.Fail("--in-flight is for a FILE holding a list of filters."));
                    return store.RunAsync(result, catalog => AddAsync(catalog, filter, waitFor, json, cancel));
                }
                var text = InputFile.ReadAllText(fromFile.FullName);
                var filters = ClusterFilterBatch.Read(text, fromFile.FullName);
                if (!ClusterFilterBatch.IsList(text))
                {
                    if (result.GetValue(inFlight) is not null)
                        return Task.FromResult(CommonOptions.Fail("--in-flight is for a FILE holding a list of filters."));
                    return store.RunAsync(result, catalog => AddAsync(catalog, filters[0], waitFor, json, cancel));
                }
                return store.RunAsync(result, catalog => AddAllAsync(catalog, filters, result.GetValue(inFlight) ?? BulkPut.DefaultInFlight, waitFor, json, cancel));
            }
            catch (Exception e) when (e is FilterSpecException or InputException)
            {
                return Task.FromResult(CommonOptions.Fail(e.Message));
            }
        });
        return command;
    }

    /// <summary>
    /// Why the options' filter is refused for what it would match: a drop or steer with no conditions takes every packet
    /// of every node in scope (ARP included), one forgotten <c>--match</c> from a blackhole, so it needs
    /// <c>--match-all</c>; and <c>--match-all</c> beside conditions says two things. Null when neither holds.
    /// </summary>
    private static string? MatchAllRefusal(ClusterFilter filter, string? match, bool matchAll)
    {
        var conditions = !string.IsNullOrEmpty(match);
        if (conditions && matchAll)
            return "--match-all: the filter has conditions (--match); give one or the other.";
        if (!conditions && !matchAll && filter.Filter.Action is FilterAction.Drop or FilterAction.Steer)
            return $"--match: none given, so this {filter.Filter.Action.ToString().ToLowerInvariant()} filter would take every packet (ARP too) on every node in scope; give --match-all if that is meant.";
        return null;
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
        if (filter.Scope?.Nodes is { Count: > 0 } named)
            WarnOfUnknownNodes(named, (await catalog.ViewAsync(cancel)).Members.Select(m => m.Node).ToList());
        var outcome = wait is { } timeout ? await WaitAsync(catalog, filter.MayApplyTo, new HashSet<string> { filter.Id }, revision, revision, timeout, cancel) : null;
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new FilterAdded(filter.Id, revision, outcome?.Applied, outcome?.Refused, outcome?.Unmatched.Keys.ToList()), ClusterCommandJson.Default.FilterAdded));
        else
            TerminalText.Out($"filter {filter.Id} written at revision {revision}{AppliedOn(outcome)}{NoAdapterHas(outcome, filter)}");
        return outcome is null ? ExitCode.Ok : Report(outcome, $"filter {filter.Id} (revision {revision})", timeout: wait!.Value);
    }

    /// <summary>
    /// The bulk form: every filter of the file (checked already) written in transactions of etcd's maximum size,
    /// <paramref name="inFlight"/> at once; with <paramref name="wait"/>, until every live node any of them is scoped to
    /// applied the last revision.
    /// </summary>
    private static async Task<int> AddAllAsync(IClusterCatalog catalog, IReadOnlyList<ClusterFilter> filters, int inFlight, TimeSpan? wait, bool json, CancellationToken cancel)
    {
        var written = await catalog.PutFiltersAsync(filters, inFlight, cancel);
        if (filters.SelectMany(f => f.Scope?.Nodes ?? []).Distinct().ToList() is { Count: > 0 } named)
            WarnOfUnknownNodes(named, (await catalog.ViewAsync(cancel)).Members.Select(m => m.Node).ToList());
        var ids = filters.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var outcome = wait is { } timeout ? await WaitAsync(catalog, n => filters.Any(f => f.MayApplyTo(n)), ids, written.FirstRevision, written.LastRevision, timeout, cancel) : null;
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new FiltersAdded(written.Keys, written.Transactions, written.InFlight, written.FirstRevision, written.LastRevision, outcome?.Applied, outcome?.Refused,
                outcome?.Unmatched), ClusterCommandJson.Default.FiltersAdded));
        else
            TerminalText.Out($"{written.Keys} filters written in {written.Transactions} transaction{(written.Transactions == 1 ? "" : "s")} ({written.InFlight} in flight) at revisions {written.FirstRevision} to {written.LastRevision}{AppliedOn(outcome)}"
                + string.Concat((outcome?.Unmatched ?? new Dictionary<string, IReadOnlyList<string>>()).Select(u => $"; on {u.Key} no adapter has a label of {u.Value.Count} of them ({string.Join(", ", u.Value.Take(5))}{(u.Value.Count > 5 ? ", …" : "")}), so they are in force on none")));
        return outcome is null ? ExitCode.Ok : Report(outcome, $"{written.Keys} filters (revisions {written.FirstRevision} to {written.LastRevision})", timeout: wait!.Value);
    }

    /// <summary>
    /// A scope may name nodes that join later, so the write stands; but a node that is not a member now may be a
    /// misspelling, and that is said on standard error with the members there are.
    /// </summary>
    private static void WarnOfUnknownNodes(IReadOnlyList<string> named, IReadOnlyList<string> members)
    {
        var unknown = named.Where(n => !members.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count == 0)
            return;
        CommonOptions.Warn($"the scope names {(unknown.Count == 1 ? "node" : "nodes")} {Listing(unknown)}, not a member of the cluster now "
            + $"(members: {(members.Count == 0 ? "none" : Listing(members))}); the filter is written and applies to a node of that name when it joins.");
    }

    /// <summary>The first <see cref="Listed"/> of <paramref name="names"/>, then how many more there are: a warning stays a line.</summary>
    internal static string Listing(IReadOnlyList<string> names) => names.Count <= Listed
        ? string.Join(", ", names)
        : $"{string.Join(", ", names.Take(Listed))}, … and {(names.Count - Listed).ToString("N0", CultureInfo.InvariantCulture)} more";

    private static string AppliedOn(WaitOutcome? outcome) => outcome switch
    {
        null => "",
        { NoneInScope: true } => "",
        { Applied.Count: 0 } => outcome.Refused.Count == 0 ? "; applied on no node yet" : "",
        _ => $"; applied on {string.Join(", ", outcome.Applied)}",
    };

    /// <summary>Where the filter is applied but in force on no adapter: ", but no adapter there has label edge".</summary>
    internal static string NoAdapterHas(WaitOutcome? outcome, ClusterFilter filter)
    {
        if (outcome?.Unmatched is not { Count: > 0 } unmatched)
            return "";
        var where = unmatched.Count == outcome.Applied.Count ? "there" : $"on {string.Join(", ", unmatched.Keys)}";
        var labels = filter.Scope?.AdapterLabels ?? [];
        return $", but no adapter {where} has label{(labels.Count == 1 ? "" : "s")} {string.Join(" or ", labels)}";
    }

    /// <summary>Says on standard error which nodes refused the change or did not apply it in time, or that no live node is in scope, and returns the exit code.</summary>
    private static int Report(WaitOutcome outcome, string what, TimeSpan timeout)
    {
        if (outcome.Refused.Count > 0)
            return CommonOptions.Failure($"{what} was refused: {string.Join("; ", outcome.Refused.Select(r => $"{r.Node}{(r.Adapter is null ? "" : $"/{r.Adapter}")}: {r.Error.TrimEnd('.')}"))}.");
        if (outcome.Late.Count > 0)
            return CommonOptions.Failure($"{what} was not applied within {timeout.TotalSeconds:0.#} s by {string.Join(", ", outcome.Late)}.");
        if (outcome.NoneInScope)
            return CommonOptions.Failure($"{what}: no live node in scope, so none applied it; it stands, and a node in scope applies it when it joins (`pd node ls` shows the live nodes).");
        return ExitCode.Ok;
    }

    /// <summary>
    /// Polls the nodes' statuses until every live node in scope has applied <paramref name="revision"/>, one refused a
    /// filter of <paramref name="ids"/> (a delete has none to refuse), or time ran out. A status lists only the newest
    /// refusals: a node whose list stops short of <paramref name="firstRevision"/> without naming one of
    /// <paramref name="ids"/> cannot be told applied from refused, and counts as not applied yet (said beside its name),
    /// as does a node still short of the revision whose adapter keeps its last good set.
    /// </summary>
    private static async Task<WaitOutcome> WaitAsync(IClusterCatalog catalog, Func<string, bool> inScope, IReadOnlySet<string> ids, long firstRevision, long revision,
        TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var view = await catalog.ViewAsync(cancel);
            var nodes = view.Members.Select(m => m.Node).Where(inScope).ToList();
            var statuses = view.Statuses.ToDictionary(s => s.Node);
            var current = nodes.Where(n => statuses.GetValueOrDefault(n)?.Filters?.AppliedRevision >= revision).ToList();
            var refused = current.SelectMany(n => statuses[n].Filters!.Rejected.Where(r => ids.Contains(r.Id)).Select(r => new NodeRefusal(n, r.Adapter, r.Error))).ToList();
            var applied = current.Where(n => refused.Any(r => r.Node == n) || ids.Count == 0 || statuses[n].Filters!.ListsRefusalsFrom(firstRevision)).ToList();
            var late = nodes.Except(applied).ToList();
            if (refused.Count > 0 || late.Count == 0 || DateTime.UtcNow >= deadline)
            {
                var done = applied.Except(refused.Select(r => r.Node)).ToList();
                var unmatched = done.Select(n => (Node: n, Ids: (IReadOnlyList<string>)[.. (statuses[n].Filters!.Unmatched ?? []).Where(ids.Contains)]))
                    .Where(u => u.Ids.Count > 0).ToDictionary(u => u.Node, u => u.Ids);
                return new WaitOutcome(done, refused, refused.Count > 0 ? [] : [.. late.Select(n => Stuck(n, statuses.GetValueOrDefault(n)?.Filters, revision))], unmatched);
            }
            await Task.Delay(50, cancel);
        }
    }

    /// <summary>A node that has not (visibly) applied the change, with why when its status says.</summary>
    private static string Stuck(string node, FilterAgentStatus? filters, long revision) => filters switch
    {
        { AppliedRevision: var applied } when applied >= revision =>
            $"{node} (applied the revision, but its status lists only the newest {filters.Rejected.Count} of its {filters.RejectedCount} refusals, none of them this change's)",
        { Rejected: var rejected } when rejected.Where(r => r.Id == "*").Select(r => r.Error).ToList() is { Count: > 0 } kept => $"{node} ({string.Join("; ", kept)})",
        _ => node,
    };

    private static Command Remove()
    {
        var id = new Argument<string>("id") { Description = "The filter's id." };
        var wait = new Option<bool>("--wait") { Description = "Return once every live node the filter was scoped to has applied the delete." };
        var timeout = Seconds("--timeout", $"How long --wait waits, in seconds (default {DefaultWait.TotalSeconds:0}).");
        var command = new Command("rm", "Delete a cluster filter; every node drops it at the revision of the delete (with --wait, returns once every node in its scope did).");
        command.Arguments.Add(id);
        command.Options.Add(wait);
        command.Options.Add(timeout);
        TimeoutNeedsWait(command, wait, timeout);
        var store = new ClusterOptions(command);
        command.SetAction((result, cancel) => store.RunAsync(result, async catalog =>
        {
            var name = result.GetValue(id)!;
            // The scope is read before the delete: the nodes to wait for are those the filter was for.
            var stored = result.GetValue(wait) ? await catalog.FilterAsync(name, cancel) : null;
            if (await catalog.DeleteFilterAsync(name, cancel) is not { } revision)
                return CommonOptions.Fail($"no cluster filter '{name}'.");
            if (!result.GetValue(wait))
            {
                TerminalText.Out($"filter {name} deleted at revision {revision}");
                return ExitCode.Ok;
            }
            Func<string, bool> inScope = stored is { Error: null } ? ClusterFilter.Read(stored.Document, stored.Id, stored.Id).MayApplyTo : _ => true;
            var limit = result.GetValue(timeout) ?? DefaultWait;
            var outcome = await WaitAsync(catalog, inScope, new HashSet<string>(), revision, revision, limit, cancel);
            TerminalText.Out($"filter {name} deleted at revision {revision}{AppliedOn(outcome)}");
            return Report(outcome, $"the delete of filter {name} (revision {revision})", limit);
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
                    table.AddRow(TerminalText.Cell(f.Id), "", "", "", "[red]" + TerminalText.Cell(f.Error) + "[/]", "", revision);
                    continue;
                }
                var filter = ClusterFilter.Read(f.Document, f.Id, f.Id);
                table.AddRow(TerminalText.Cell(f.Id), filter.Filter.Priority.ToString(CultureInfo.InvariantCulture), filter.Filter.Action.ToString().ToLowerInvariant(),
                    filter.Filter.Queue?.ToString(CultureInfo.InvariantCulture) ?? "", TerminalText.Cell(Conditions(filter.Filter)), TerminalText.Cell(Scope(filter.Scope)), revision);
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
                grid.AddRow("id", TerminalText.Cell(stored.Id));
                grid.AddRow("revision", stored.Revision.ToString(CultureInfo.InvariantCulture));
                if (stored.Error is not null)
                    grid.AddRow("error", "[red]" + TerminalText.Cell(stored.Error) + "[/]");
                grid.AddRow("document", TerminalText.Cell(stored.Document));
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

    /// <summary>How many transactions of a list's filters are in flight at once: 1 to <see cref="BulkPut.MaxInFlight"/>, else a usage error.</summary>
    private static Option<int?> InFlight() => new("--in-flight")
    {
        Description = $"For a FILE holding a list: how many transactions ({BulkPut.LargeTxnOps} filters each where etcd's --max-txn-ops allows, else {BulkPut.MaxTxnOps}) are in flight at once (default {BulkPut.DefaultInFlight}).",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= BulkPut.MaxInFlight)
                return count;
            result.AddError($"--in-flight: '{text}' is not a whole number from 1 to {BulkPut.MaxInFlight}.");
            return null;
        },
    };

    /// <summary>Refuses <c>--timeout</c> without <c>--wait</c>, which would otherwise pass without a word.</summary>
    private static void TimeoutNeedsWait(Command command, Option<bool> wait, Option<TimeSpan?> timeout) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(timeout) is not null && !result.GetValue(wait))
                result.AddError("--timeout: it sets how long --wait waits; give --wait too.");
        });

    /// <summary>A number of seconds, at least a millisecond and at most a day, else a usage error.</summary>
    private static Option<TimeSpan?> Seconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds >= 0.001 && seconds <= 86400)
                return TimeSpan.FromSeconds(seconds);
            result.AddError($"{name}: '{text}' is not a number of seconds from 0.001 to 86400 (a day).");
            return null;
        },
    };
}
