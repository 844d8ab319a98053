using System.Globalization;
using System.Net;
using System.Text;

namespace PdCluster.Bench.Veth;

/// <summary>
/// The veth benchmark's chart: per path, delivered packets per second and receiver CPU per packet, one bar per
/// placement (A: the kernel's receive work on the generator's core; B: on the receiver's core). Plain SVG.
/// </summary>
internal static class VethChart
{
    private const int Width = 980;
    private const int Label = 190;
    private const int Gap = 40;
    private const int Top = 70;
    private const int Bar = 10;
    private const int Row = 28;
    private const string ColourA = "#2b6cb0";
    private const string ColourB = "#c05621";

    public static void Write(string path, string caption, IReadOnlyList<VethRow> rows)
    {
        var paths = rows.Select(r => r.Path).Distinct().ToList();
        var panel = (Width - Label - 2 * Gap) / 2;
        var height = Top + paths.Count * Row + 50;
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine("<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">veth, 64-byte UDP frames from trafgen on one core: delivered rate and receiver CPU per packet</text>");
        svg.AppendLine($"<text x=\"10\" y=\"38\" fill=\"#555\">{WebUtility.HtmlEncode(caption)}</text>");
        svg.AppendLine($"<rect x=\"10\" y=\"46\" width=\"10\" height=\"10\" fill=\"{ColourA}\"/><text x=\"24\" y=\"55\">A: kernel receive work on the generator's core</text>");
        svg.AppendLine($"<rect x=\"330\" y=\"46\" width=\"10\" height=\"10\" fill=\"{ColourB}\"/><text x=\"344\" y=\"55\">B: threaded NAPI on the receiver's core</text>");
        Panel(svg, rows, paths, Label, panel, "delivered kpps", r => r.DeliveredPps / 1000);
        Panel(svg, rows, paths, Label + panel + 2 * Gap, panel, "receiver CPU ns/packet", r => r.CpuNsPerPacket);
        for (var i = 0; i < paths.Count; i++)
            svg.AppendLine($"<text x=\"{Label - 8}\" y=\"{Top + i * Row + 16}\" text-anchor=\"end\">{WebUtility.HtmlEncode(paths[i])}</text>");
        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }

    private static void Panel(StringBuilder svg, IReadOnlyList<VethRow> rows, List<string> paths, int left, int width, string title, Func<VethRow, double?> value)
    {
        var max = rows.Select(value).OfType<double>().DefaultIfEmpty(1).Max();
        var scale = max <= 0 ? 1 : Math.Pow(10, Math.Ceiling(Math.Log10(max)));
        if (scale / 2 >= max)
            scale /= 2;
        static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        var bottom = Top + paths.Count * Row;
        svg.AppendLine($"<text x=\"{left + width / 2}\" y=\"{bottom + 36}\" text-anchor=\"middle\" fill=\"#555\">{title}</text>");
        for (var t = 0; t <= 4; t++)
        {
            var x = left + width * t / 4.0;
            svg.AppendLine($"<line x1=\"{F(x)}\" y1=\"{Top - 4}\" x2=\"{F(x)}\" y2=\"{bottom}\" stroke=\"#ddd\"/>");
            svg.AppendLine($"<text x=\"{F(x)}\" y=\"{bottom + 16}\" text-anchor=\"middle\" fill=\"#555\">{F(scale * t / 4)}</text>");
        }
        for (var i = 0; i < paths.Count; i++)
        {
            foreach (var (placement, offset, colour) in new[] { ("A", 3, ColourA), ("B", 3 + Bar + 1, ColourB) })
            {
                if (rows.FirstOrDefault(r => r.Path == paths[i] && r.Placement == placement) is not { } row || value(row) is not { } v)
                    continue;
                var y = Top + i * Row + offset;
                svg.AppendLine($"<rect x=\"{left}\" y=\"{y}\" width=\"{F(Math.Min(v, scale) / scale * width)}\" height=\"{Bar}\" fill=\"{colour}\"/>");
                svg.AppendLine($"<text x=\"{F(left + Math.Min(v, scale) / scale * width + 4)}\" y=\"{y + 9}\" font-size=\"10\" fill=\"#222\">{v.ToString("0", CultureInfo.InvariantCulture)}</text>");
            }
        }
    }
}
