namespace PdCluster.Cluster;

/// <summary>
/// A <see cref="BulkPut"/> that stopped at a failed transaction: what is known of every item, as ranges of its index in
/// the list (end exclusive): committed, in doubt (its transaction failed after it may have reached the store), or never
/// sent. <see cref="Exception.InnerException"/> is the first failure.
/// </summary>
public sealed class BulkPutException(int keys, IReadOnlyList<Range> written, IReadOnlyList<Range> inDoubt, IReadOnlyList<Range> unsent, Exception cause, int txnOps)
    : Exception($"{Count(written)} of {keys} keys written ({Describe(written)}), {Count(inDoubt)} in doubt ({Describe(inDoubt)}), {Count(unsent)} not sent ({Describe(unsent)}): {cause.Message}", cause)
{
    /// <summary>The keys in committed transactions.</summary>
    public int WrittenKeys => Count(written);

    /// <summary>The most keys one transaction held: each is written whole or not at all.</summary>
    public int TxnOps => txnOps;

    /// <summary>The keys asked for.</summary>
    public int Keys => keys;

    /// <summary>The item ranges whose transactions committed.</summary>
    public IReadOnlyList<Range> Written => written;

    /// <summary>The item ranges whose transactions failed after they may have reached the store: written or not.</summary>
    public IReadOnlyList<Range> InDoubt => inDoubt;

    /// <summary>The item ranges never sent.</summary>
    public IReadOnlyList<Range> Unsent => unsent;

    /// <summary>How many items <paramref name="ranges"/> hold.</summary>
    public static int Count(IReadOnlyList<Range> ranges) => ranges.Sum(r => r.End.Value - r.Start.Value);

    /// <summary><c>[0..127], [256..639]</c> (inclusive, as a reader counts), or <c>none</c>.</summary>
    public static string Describe(IReadOnlyList<Range> ranges) =>
        ranges.Count == 0 ? "none" : string.Join(", ", ranges.Select(r => $"[{r.Start.Value}..{r.End.Value - 1}]"));
}
