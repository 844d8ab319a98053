using PdCluster.Actors.Framework;
using PdCluster.Node.Commands;
using Spectre.Console;

namespace PdCluster.Tests.Node;

/// <summary>The live table of <c>pd node run</c> stays readable at any filter count.</summary>
public sealed class NodeReportTests
{
    private static string Table(NodeReport report)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;
        report.WriteTable(console);
        return output.ToString();
    }

    [Fact]
    public void With_100k_filters_each_queue_names_its_top_five_and_sums_the_rest()
    {
        // Every thousandth filter hits, as many times as its number: f99007 is busiest, then f98007...
        var hits = Enumerable.Range(0, 100_000).ToDictionary(i => $"f{i}", i => i % 1000 == 7 ? (long)i : 0);
        var queues = Enumerable.Range(0, 2).Select(q => new QueueRates("pd0", q, AdapterState.Running, 200_000, 200_000, 0, 0, 42.5, hits)).ToList();

        var table = Table(new NodeReport(3, queues, 600_000, 599_000, 12.5));

        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 6, 12);
        var rest = Enumerable.Range(0, 95).Sum(k => 7L + 1000 * k);
        var cell = $"f99007=99,007  f98007=98,007  f97007=97,007  f96007=96,007  f95007=95,007  +99,995 others={rest:N0}";
        Assert.Equal(2, lines.Count(l => l.Contains(cell)));
    }

    [Fact]
    public void A_few_filters_are_all_shown_in_file_order_and_ties_go_to_the_first_listed()
    {
        Assert.Equal("drop-udp-flood=0  steer-web=12  count-rest=3",
            FilterHitSummary.Format(new Dictionary<string, long> { ["drop-udp-flood"] = 0, ["steer-web"] = 12, ["count-rest"] = 3 }));
        var tied = new Dictionary<string, long> { ["a"] = 5, ["b"] = 9, ["c"] = 5, ["d"] = 0, ["e"] = 5 };
        Assert.Equal("b=9  a=5  +3 others=10", FilterHitSummary.Format(tied, shown: 2));
        Assert.Equal("+3 others=0", FilterHitSummary.Format(new Dictionary<string, long> { ["a"] = 0, ["b"] = 0, ["c"] = 0 }, shown: 2));
    }
}
