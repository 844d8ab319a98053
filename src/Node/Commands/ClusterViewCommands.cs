using System.CommandLine;
using System.Globalization;
using PdCluster.Actors.Framework;
using PdCluster.Node.ClusterAccess;
using Spectre.Console;

namespace PdCluster.Node.Commands;

/// <summary><c>pd node ls</c> and <c>pd cluster status</c>: the cluster's nodes as their members and statuses show them.</summary>
internal static class ClusterViewCommands
{
    /// <summary><c>pd node ls</c>: members, liveness, applied revision, adapters and their states.</summary>
    public static Command NodeList() => ClusterOptions.Reading("ls", "List the cluster's nodes: live or not, applied filter revision, adapters and their states.",
        async (catalog, _, cancel) => Nodes(await catalog.ViewAsync(cancel)), ClusterCommandJson.Default.IReadOnlyListNodeRow, rows =>
        {
            var table = new Table().AddColumns("node", "live", "admin", "applied revision", "adapters");
            foreach (var r in rows)
            {
                var adapters = string.Join(", ", r.Adapters.Select(a => $"{a.Key} {a.Value}"));
                table.AddRow(Markup.Escape(r.Node), Live(r.Live), Markup.Escape(r.Admin ?? ""), r.AppliedRevision?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(adapters) + Problem(r.StoreError));
            }
            return table;
        });

    /// <summary><c>pd cluster status</c>: who lags and by how many revisions, which filters were refused where.</summary>
    public static Command ClusterStatus()
    {
        var status = ClusterOptions.Reading("status", "Which nodes lag behind the newest filter change and by how many revisions, and which filters were refused where.",
            async (catalog, _, cancel) => Report(await catalog.ViewAsync(cancel)), ClusterCommandJson.Default.ClusterStatusReport, report =>
            {
                var table = new Table().Title($"{report.Filters} filters, newest change at revision {report.NewestChange}")
                    .AddColumns("node", "live", "applied revision", "lag", "refused");
                foreach (var n in report.Nodes)
                {
                    var refused = string.Join("\n", n.Rejected.Select(r => $"{r.Id}{(r.Adapter is null ? "" : $" on {r.Adapter}")}: {r.Error}"));
                    table.AddRow(Markup.Escape(n.Node), Live(n.Live), n.AppliedRevision?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        n.Lag switch { null => "-", 0 => "[green]0[/]", var lag => $"[yellow]{lag}[/]" }, Markup.Escape(refused) + Problem(n.StoreError));
                }
                return table;
            });
        var cluster = new Command("cluster", "Inspect the cluster as a whole.");
        cluster.Subcommands.Add(status);
        return cluster;
    }

    private static string Live(bool live) => live ? "[green]up[/]" : "[red]gone[/]";

    private static string Problem(string? error) => error is null ? "" : $" [red]{Markup.Escape(error)}[/]";

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
                status?.Adapters ?? new Dictionary<string, AdapterState>(), status?.Filters?.StoreError);
        })];
    }

    /// <summary>Each node's lag: the newest filter change anyone knows of, less the revision the node applied (never below 0).</summary>
    internal static ClusterStatusReport Report(ClusterView view)
    {
        var newest = view.NewestChange;
        var statuses = view.Statuses.ToDictionary(s => s.Node);
        var nodes = Nodes(view).Select(n =>
        {
            var filters = statuses.GetValueOrDefault(n.Node)?.Filters;
            return new NodeLag(n.Node, n.Live, filters?.AppliedRevision, filters is null ? null : Math.Max(0, newest - filters.AppliedRevision),
                filters?.Rejected ?? [], filters?.StoreError);
        }).ToList();
        return new ClusterStatusReport(newest, view.Filters.Count, nodes);
    }
}
