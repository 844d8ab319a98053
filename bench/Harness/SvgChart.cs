using System.Globalization;
using System.Net;
using System.Text;

namespace PdCluster.Bench;

/// <summary>
/// The benchmark's chart: one horizontal bar per packet-moving scenario (median Mpps on a log scale, with the range
/// across rounds as a whisker), so the PD path, its ceiling and the normal paths are compared at a glance. Plain SVG:
/// no plotting package is served here, and every browser and GitHub renders it.
/// </summary>
internal static class SvgChart
{
    private const int Width = 880;
    private const int Left = 300;
    private const int Right = 40;
    private const int Top = 56;
    private const int Row = 26;
    private const int Bottom = 48;

    /// <summary>Writes the chart of <paramref name="results"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, MachineInfo machine, IReadOnlyList<BenchResult> results)
    {
        var bars = results.Where(r => r.Mpps > 0 && r.Scenario is not ("classifier" or "actor-pingpong")).ToList();
        var height = Top + Math.Max(1, bars.Count) * Row + Bottom;
        var max = bars.Count == 0 ? 1 : bars.Max(r => r.MppsMax ?? r.Mpps);
        var min = bars.Count == 0 ? 0.1 : bars.Min(r => r.MppsMin ?? r.Mpps);
        var lo = Math.Pow(10, Math.Floor(Math.Log10(min)));
        var hi = Math.Pow(10, Math.Ceiling(Math.Log10(max)));
        double X(double mpps) => Left + (Math.Log10(Math.Max(mpps, lo)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * (Width - Left - Right);
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{Left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Packets per second, 64-byte frames (median of {machine.Rounds} rounds, whisker = range)</text>");
        svg.AppendLine($"<text x=\"{Left}\" y=\"40\" fill=\"#555\">{WebUtility.HtmlEncode($"{machine.Cpu} · {machine.Cores} cores · {machine.Date}")}</text>");
        for (var decade = lo; decade <= hi * 1.0001; decade *= 10)
        {
            var x = X(decade);
            svg.AppendLine($"<line x1=\"{F(x)}\" y1=\"{Top - 6}\" x2=\"{F(x)}\" y2=\"{height - Bottom + 6}\" stroke=\"#ddd\"/>");
            svg.AppendLine($"<text x=\"{F(x)}\" y=\"{height - Bottom + 22}\" text-anchor=\"middle\" fill=\"#555\">{decade.ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        }
        svg.AppendLine($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" fill=\"#555\">Mpps (log scale)</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var r = bars[i];
            var y = Top + i * Row;
            var label = r.Rules > 0 ? $"{r.Scenario} ({r.Rules:N0} rules)" : $"{r.Scenario} ({r.Provider})";
            var colour = r.Scenario.StartsWith("pd-", StringComparison.Ordinal) ? "#2b6cb0" : r.Scenario == "raw-ring" ? "#718096" : "#c05621";
            svg.AppendLine($"<text x=\"{Left - 8}\" y=\"{y + 16}\" text-anchor=\"end\">{WebUtility.HtmlEncode(label)}</text>");
            svg.AppendLine($"<rect x=\"{Left}\" y=\"{y + 4}\" width=\"{F(X(r.Mpps) - Left)}\" height=\"{Row - 8}\" fill=\"{colour}\"/>");
            if (r.MppsMin is { } low && r.MppsMax is { } high)
                svg.AppendLine($"<line x1=\"{F(X(low))}\" y1=\"{y + Row / 2}\" x2=\"{F(X(high))}\" y2=\"{y + Row / 2}\" stroke=\"black\"/>");
            svg.AppendLine($"<text x=\"{F(X(r.MppsMax ?? r.Mpps) + 6)}\" y=\"{y + 16}\" fill=\"#222\">{r.Mpps.ToString("0.###", CultureInfo.InvariantCulture)}</text>");
        }
        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }
}
