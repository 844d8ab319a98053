namespace PdCluster.Node.Commands;

/// <summary>
/// The filter-hits cell of the live table: the filters with the most hits by name, the rest as one count and one sum,
/// so a queue's row stays one line whether the node has three filters or 100,000.
/// </summary>
internal static class FilterHitSummary
{
    /// <summary>How many filters a row names before it sums the rest.</summary>
    public const int Shown = 5;

    /// <summary>
    /// Every filter in file order when there are at most <paramref name="shown"/>; otherwise the <paramref name="shown"/>
    /// with the most hits (ties to the one listed first, filters with no hit never named), then <c>+N others=SUM</c>.
    /// </summary>
    public static string Format(IReadOnlyDictionary<string, long> hits, int shown = Shown)
    {
        if (hits.Count <= shown)
            return string.Join("  ", hits.Select(h => $"{h.Key}={h.Value:N0}"));
        var top = new List<KeyValuePair<string, long>>(shown + 1);
        long total = 0;
        foreach (var h in hits)
        {
            total += h.Value;
            if (h.Value == 0 || top.Count == shown && h.Value <= top[^1].Value)
                continue;
            var at = top.Count;
            while (at > 0 && top[at - 1].Value < h.Value)
                at--;
            top.Insert(at, h);
            if (top.Count > shown)
                top.RemoveAt(shown);
        }
        var named = top.Sum(t => t.Value);
        return string.Join("  ", top.Select(t => $"{t.Key}={t.Value:N0}").Append($"+{hits.Count - top.Count:N0} others={total - named:N0}"));
    }
}
