namespace PdCluster.Bench.Cluster;

/// <summary>
/// The failover benchmark's measure: from the times packets were delivered (milliseconds on one clock), the longest
/// interval with no delivered packet around an event.
/// </summary>
internal static class DeliveryGap
{
    /// <summary>
    /// The longest interval between consecutive deliveries from the last one at or before <paramref name="eventAt"/>
    /// on; null when no packet was delivered before the event or none after it (traffic not served again).
    /// </summary>
    public static DeliveryInterval? Around(IEnumerable<double> deliveries, double eventAt)
    {
        var sorted = deliveries.Order().ToArray();
        var last = Array.FindLastIndex(sorted, t => t <= eventAt);
        if (last < 0 || last == sorted.Length - 1)
            return null;
        var longest = new DeliveryInterval(sorted[last], sorted[last + 1]);
        for (var i = last + 1; i < sorted.Length - 1; i++)
            if (sorted[i + 1] - sorted[i] > longest.Milliseconds)
                longest = new DeliveryInterval(sorted[i], sorted[i + 1]);
        return longest;
    }

    /// <summary>The longest interval between consecutive deliveries from <paramref name="from"/> to <paramref name="to"/> (0 with fewer than two): the noise before an event.</summary>
    public static double LongestBetween(IEnumerable<double> deliveries, double from, double to)
    {
        var sorted = deliveries.Where(t => t >= from && t <= to).Order().ToArray();
        var longest = 0.0;
        for (var i = 1; i < sorted.Length; i++)
            longest = Math.Max(longest, sorted[i] - sorted[i - 1]);
        return longest;
    }
}

/// <summary>An interval between two deliveries, in milliseconds on the probe's clock.</summary>
internal readonly record struct DeliveryInterval(double From, double To)
{
    /// <summary>Its length.</summary>
    public double Milliseconds => To - From;
}
