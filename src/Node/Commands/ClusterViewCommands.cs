using System.CommandLine;
using System.Globalization;
using PdCluster.Actors.Framework;
using PdCluster.Node.ClusterAccess;
using PdCluster.Queues.Classification;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd node ls</c> and <c>pd cluster status</c>: the cluster's nodes as their members and statuses show them.</summary>
internal static class ClusterViewCommands
{
    /// <summary><c>pd node ls</c>: members, liveness, applied revision, adapters and their states.</summary>
    public static Command NodeList() => ClusterOptions.Reading("ls", "List the cluster's registered nodes (a node leaves the list when its lease ends): applied filter revision, adapters and their states, items owned.",
        async (catalog, _, cancel) => Nodes(Warn(await catalog.ViewAsync(cancel))), ClusterCommandJson.Default.IReadOnlyListNodeRow, rows =>
        {
            var table = new Table().AddColumns("node", "live", "admin", "applied revision", "adapters", "owns");
            foreach (var r in rows)
            {
                var adapters = string.Join(", ", r.Adapters.Select(a => $"{a.Key} {a.Value}"));
                table.AddRow(TerminalText.Cell(r.Node) + (r.Coordinator ? " [blue](coordinator)[/]" : ""), Live(r.Live), TerminalText.Cell(r.Admin ?? ""),
                    r.AppliedRevision?.ToString(CultureInfo.InvariantCulture) ?? "-", TerminalText.Cell(adapters) + Problem(r.StoreError), TerminalText.Cell(string.Join(", ", r.Owns)));
            }
            return table;
        });

    /// <summary><c>pd cluster status</c>: who lags and by how many revisions, which filters were refused where.</summary>
    public static Command ClusterStatus()
    {
        var status = ClusterOptions.Reading("status", "Which nodes lag behind the newest filter change and by how many revisions, and which filters were refused where.",
            async (catalog, _, cancel) => Report(Warn(await catalog.ViewAsync(cancel))), ClusterCommandJson.Default.ClusterStatusReport, report =>
            {
                var table = new Table().Title(TerminalText.Cell($"{report.Filters} filter{(report.Filters == 1 ? "" : "s")}, newest change at revision {report.NewestChange}; coordinator {report.Coordinator ?? "none"}"
                        + (report.Unowned.Count == 0 ? "" : $"; unowned: {string.Join(", ", report.Unowned)}")))
                    .AddColumns("node", "live", "applied revision", "lag", "refused, or on no adapter", "owns");
                foreach (var n in report.Nodes)
                {
                    var refused = string.Join("\n", n.Rejected.Select(r => TerminalText.Cell($"{r.Id}{(r.Adapter is null ? "" : $" on {r.Adapter}")}: {r.Error}"))
                        .Concat(n.Unmatched.Select(u => TerminalText.Cell($"{u.Id}: applied, but no adapter here has label{(u.Labels.Count == 1 ? "" : "s")} {string.Join(" or ", u.Labels)}")))
                        .Concat(n.RejectedCount > n.Rejected.Count ? [$"({n.RejectedCount} refused in all; the newest {n.Rejected.Count} listed)"] : [])
                        .Concat(n.UnmatchedCount > n.Unmatched.Count ? [$"({n.UnmatchedCount} in force on no adapter in all; the newest {n.Unmatched.Count} listed)"] : []));
                    table.AddRow(TerminalText.Cell(n.Node), Live(n.Live), n.AppliedRevision?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        n.Lag switch { null => "-", 0 => "[green]0[/]", var lag => $"[yellow]{lag}[/]" }, refused + Problem(n.StoreError),
                        TerminalText.Cell(string.Join(", ", n.Owns)));
                }
                return table;
            });
        var cluster = new Command("cluster", "Inspect the cluster as a whole.");
        cluster.Subcommands.Add(status);
        return cluster;
    }

    /// <summary>Writes each record the view left out, naming its key, to stderr (the rest is shown).</summary>
    private static ClusterView Warn(ClusterView view)
    {
        foreach (var warning in view.Warnings ?? [])
            CommonOptions.Warn(warning);
        return view;
    }

    private static string Live(bool live) => live ? "[green]up[/]" : "[red]gone[/]";

    private static string Problem(string? error) => error is null ? "" : $" [red]{TerminalText.Cell(error)}[/]";

    /// <summary>Every node that is a member or left a status, by name.</summary>
    internal static IReadOnlyList<NodeRow> Nodes(ClusterView view)
    {
        var members = view.Members.ToDictionary(m => m.Node);
        var statuses = view.Statuses.ToDictionary(s => s.Node);
        return [.. members.Keys.Union(statuses.Keys).Order(StringComparer.Ordinal).Select(node =>
        {
            var member = members.GetValueOrDefault(node);
            var status = statuses.GetValueOrDefault(node);
            return new NodeRow(node, member is not null, member?.Admin, member?.Since, status?.Filters?.AppliedRevision,
                status?.Adapters ?? new Dictionary<string, AdapterState>(), status?.Filters?.StoreError, view.ItemsOf(node), node == view.Coordinator);
        })];
    }

    /// <summary>Each node's lag: the newest filter change anyone knows of, less the revision the node applied (never below 0).</summary>
    internal static ClusterStatusReport Report(ClusterView view)
    {
        var newest = view.NewestChange;
        var statuses = view.Statuses.ToDictionary(s => s.Node);
        var labels = view.Filters.Where(f => f.Error is null).ToDictionary(f => f.Id, f => LabelsOf(f), StringComparer.Ordinal);
        var nodes = Nodes(view).Select(n =>
        {
            var filters = statuses.GetValueOrDefault(n.Node)?.Filters;
            return new NodeLag(n.Node, n.Live, filters?.AppliedRevision, filters is null ? null : Math.Max(0, newest - filters.AppliedRevision),
                filters?.Rejected ?? [], filters?.RejectedCount ?? 0, filters?.StoreError, n.Owns,
                [.. (filters?.Unmatched ?? []).Select(id => new UnmatchedFilter(id, labels.GetValueOrDefault(id) ?? []))], filters?.UnmatchedCount ?? 0);
        }).ToList();
        return new ClusterStatusReport(newest, view.Filters.Count, nodes, view.Coordinator, [.. Owners(view).Where(o => o.Owner is null).Select(o => o.Item)]);
    }

    /// <summary>The adapter labels a stored filter is scoped to (none when its document no longer reads).</summary>
    private static IReadOnlyList<string> LabelsOf(StoredFilter filter)
    {
        try
        {
            return ClusterFilter.Read(filter.Document, filter.Id, filter.Id).Scope?.AdapterLabels ?? [];
        }
        catch (FilterSpecException)
        {
            return [];
        }
    }

    /// <summary><c>pd owners</c>: every item a live node declares or an owner key names, and who serves it.</summary>
    public static Command OwnerList() => ClusterOptions.Reading("owners", "List the cluster's virtual IPs and shards: which node owns each, since when, and which live nodes can serve it now.",
        async (catalog, _, cancel) => Owners(Warn(await catalog.ViewAsync(cancel))), ClusterCommandJson.Default.IReadOnlyListOwnerRow, rows =>
        {
            var table = new Table().AddColumns("item", "owner", "since", "eligible");
            foreach (var r in rows)
            {
                table.AddRow(TerminalText.Cell(r.Item), r.Owner is null ? "[red]none[/]" : TerminalText.Cell(r.Owner) + (r.OwnerLive ? "" : " [red](gone)[/]"),
                    r.Since?.ToString("u", CultureInfo.InvariantCulture) ?? "-", TerminalText.Cell(string.Join(", ", r.Eligible)));
            }
            return table;
        });

    /// <summary>
    /// Each item, by id: its owner (null when none) and the live members that declare it and can serve it now (their
    /// status does not list it as unserved), as the coordinator chooses.
    /// </summary>
    internal static IReadOnlyList<OwnerRow> Owners(ClusterView view)
    {
        var owners = (view.Owners ?? []).ToDictionary(o => o.Item);
        var live = view.Members.Select(m => m.Node).ToHashSet();
        var unserved = view.Statuses.ToDictionary(s => s.Node, s => s.Unserved ?? []);
        var declared = view.Members.SelectMany(m => (m.Items ?? []).Select(i => (Item: i, m.Node))).ToList();
        var eligible = declared.Where(d => !unserved.GetValueOrDefault(d.Node, []).Contains(d.Item)).ToLookup(d => d.Item, d => d.Node);
        return [.. owners.Keys.Union(declared.Select(d => d.Item)).Order(StringComparer.Ordinal).Select(item =>
        {
            var owner = owners.GetValueOrDefault(item);
            return new OwnerRow(item, owner?.Node, owner is not null && live.Contains(owner.Node), owner?.Since, [.. eligible[item].Order(StringComparer.Ordinal)]);
        })];
    }
}
