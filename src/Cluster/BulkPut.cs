namespace PdCluster.Cluster;

/// <summary>
/// Writes many keys as transactions of at most <see cref="MaxTxnOps"/> puts, several in flight at once (etcd's leader
/// batches concurrent proposals into one raft round). Each transaction is one revision, applied atomically; the batch
/// as a whole is not: a failure stops new transactions, and those already committed stay.
/// </summary>
public static class BulkPut
{
    /// <summary>etcd's default <c>--max-txn-ops</c>: the most operations one transaction may hold.</summary>
    public const int MaxTxnOps = 128;

    /// <summary>How many transactions are in flight at once unless the caller says otherwise.</summary>
    public const int DefaultInFlight = 8;

    /// <summary>The most transactions a caller may keep in flight.</summary>
    public const int MaxInFlight = 64;

    /// <summary>
    /// Puts every item, in the order given, <see cref="MaxTxnOps"/> to a transaction, at most <paramref name="inFlight"/>
    /// transactions at once. Throws <see cref="BulkPutException"/> (carrying what was committed and the cause) when one fails.
    /// </summary>
    public static async Task<BulkPutResult> RunAsync(IClusterStore store, IReadOnlyList<KeyValuePair<string, string>> items, int inFlight = DefaultInFlight, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFlight, MaxInFlight);
        var chunks = items.Chunk(MaxTxnOps).ToArray();
        var revisions = new long[chunks.Length];
        var doubtful = new bool[chunks.Length];
        var next = -1;
        var running = 0;
        var peak = 0;
        var failed = 0;
        Exception? cause = null;

        async Task WriteAsync()
        {
            int index;
            while (Volatile.Read(ref failed) == 0 && (index = Interlocked.Increment(ref next)) < chunks.Length)
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                try
                {
                    revisions[index] = (await store.TxnAsync([], [.. chunks[index].Select(i => new TxnOp.Put(i.Key, i.Value))], cancel: cancel)).Revision;
                }
                catch (Exception e)
                {
                    // The request may have reached etcd before it failed: whether it applied is not known here.
                    doubtful[index] = true;
                    if (Interlocked.Exchange(ref failed, 1) == 0)
                        cause = e;
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(inFlight, Math.Max(chunks.Length, 1))).Select(_ => Task.Run(WriteAsync, CancellationToken.None)));
        var committed = revisions.Select((r, i) => (Revision: r, Count: chunks[i].Length)).Where(c => c.Revision > 0).ToList();
        if (cause is not null)
        {
            IReadOnlyList<Range> Items(Func<int, bool> chunk) => ItemRanges(chunks.Length, items.Count, chunk);
            throw new BulkPutException(items.Count, Items(i => revisions[i] > 0), Items(i => doubtful[i]), Items(i => revisions[i] == 0 && !doubtful[i]), cause);
        }
        return new BulkPutResult(items.Count, chunks.Length, peak,
            committed.Count == 0 ? 0 : committed.Min(c => c.Revision), committed.Count == 0 ? 0 : committed.Max(c => c.Revision));
    }

    /// <summary>The item index ranges (end exclusive) of the chunks <paramref name="chosen"/> picks, neighbours joined.</summary>
    private static List<Range> ItemRanges(int chunks, int items, Func<int, bool> chosen)
    {
        var ranges = new List<Range>();
        for (var i = 0; i < chunks; i++)
        {
            if (!chosen(i))
                continue;
            var (start, end) = (i * MaxTxnOps, Math.Min((i + 1) * MaxTxnOps, items));
            if (ranges.Count > 0 && ranges[^1].End.Value == start)
                ranges[^1] = new Range(ranges[^1].Start, end);
            else
                ranges.Add(new Range(start, end));
        }
        return ranges;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
            seen = was;
    }
}
