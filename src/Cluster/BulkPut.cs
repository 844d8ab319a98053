namespace PdCluster.Cluster;

/// <summary>
/// Writes many keys as transactions of <see cref="LargeTxnOps"/> puts where the store takes them, else of
/// <see cref="MaxTxnOps"/>, several in flight at once (etcd's leader batches concurrent proposals into one raft round).
/// Each transaction is one revision, applied atomically; the batch as a whole is not: a failure stops new
/// transactions, and those already committed stay. Fewer, larger transactions cost etcd fewer raft rounds and every
/// watcher fewer revisions to apply.
/// </summary>
public static class BulkPut
{
    /// <summary>etcd's default <c>--max-txn-ops</c>: the most operations one transaction may hold.</summary>
    public const int MaxTxnOps = 128;

    /// <summary>
    /// The transaction size tried first: a store whose limit is raised (etcd <c>--max-txn-ops 1024</c>, as the lab runs
    /// it) takes it; one that refuses the first transaction for its size gets <see cref="MaxTxnOps"/> from then on.
    /// </summary>
    public const int LargeTxnOps = 1024;

    /// <summary>The most bytes of keys and values one large transaction holds, well under etcd's default request limit (1.5 MiB, base64 included).</summary>
    private const int LargeTxnBytes = 768 * 1024;

    /// <summary>How many transactions are in flight at once unless the caller says otherwise.</summary>
    public const int DefaultInFlight = 8;

    /// <summary>The most transactions a caller may keep in flight.</summary>
    public const int MaxInFlight = 64;

    /// <summary>
    /// Puts every item, in the order given, in transactions (see <see cref="BulkPut"/>), at most
    /// <paramref name="inFlight"/> at once. Throws <see cref="BulkPutException"/> (carrying what was committed and the
    /// cause) when one fails.
    /// </summary>
    public static async Task<BulkPutResult> RunAsync(IClusterStore store, IReadOnlyList<KeyValuePair<string, string>> items, int inFlight = DefaultInFlight, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inFlight, MaxInFlight);
        bool large;
        try
        {
            large = items.Count > MaxTxnOps && await TakesLargeTxnsAsync(store, items[0].Key, cancel);
        }
        catch (Exception e)
        {
            throw new BulkPutException(items.Count, [], [], [new Range(0, items.Count)], e, MaxTxnOps);
        }
        var chunks = large ? Chunks(items, LargeTxnOps, LargeTxnBytes) : Chunks(items, MaxTxnOps, int.MaxValue);
        var revisions = new long[chunks.Count];
        var doubtful = new bool[chunks.Count];
        var next = -1;
        var running = 0;
        var peak = 0;
        var failed = 0;
        Exception? cause = null;

        async Task WriteAsync()
        {
            int index;
            while (Volatile.Read(ref failed) == 0 && (index = Interlocked.Increment(ref next)) < chunks.Count)
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                try
                {
                    revisions[index] = (await store.TxnAsync([], Puts(items, chunks[index]), cancel: cancel)).Revision;
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

        await Task.WhenAll(Enumerable.Range(0, Math.Min(inFlight, Math.Max(chunks.Count, 1))).Select(_ => Task.Run(WriteAsync, CancellationToken.None)));
        var txnOps = chunks.Count == 0 ? MaxTxnOps : chunks.Max(c => c.End.Value - c.Start.Value);
        var committed = revisions.Where(r => r > 0).ToList();
        if (cause is not null)
            throw new BulkPutException(items.Count, ItemRanges(chunks, i => revisions[i] > 0), ItemRanges(chunks, i => doubtful[i]),
                ItemRanges(chunks, i => revisions[i] == 0 && !doubtful[i]), cause, txnOps);
        return new BulkPutResult(items.Count, chunks.Count, peak, committed.Count == 0 ? 0 : committed.Min(), committed.Count == 0 ? 0 : committed.Max(), txnOps);
    }

    /// <summary>
    /// Whether the store takes transactions of <see cref="LargeTxnOps"/>: asked with one that compares
    /// <paramref name="key"/> (a key the writer may touch) that many times and writes nothing, so the answer changes no
    /// revision either way.
    /// </summary>
    private static async Task<bool> TakesLargeTxnsAsync(IClusterStore store, string key, CancellationToken cancel)
    {
        try
        {
            await store.TxnAsync([.. Enumerable.Repeat(Compare.CreateRevision(key, 0), LargeTxnOps)], [], cancel: cancel);
            return true;
        }
        catch (TooManyTxnOpsException)
        {
            return false;
        }
    }

    /// <summary>The list cut, in order, into runs of at most <paramref name="ops"/> items and (past the first item) <paramref name="bytes"/> bytes of keys and values.</summary>
    private static List<Range> Chunks(IReadOnlyList<KeyValuePair<string, string>> items, int ops, int bytes)
    {
        var chunks = new List<Range>();
        var (start, size) = (0, 0L);
        for (var i = 0; i < items.Count; i++)
        {
            var length = (long)items[i].Key.Length + items[i].Value.Length;
            if (i > start && (i - start == ops || size + length > bytes))
            {
                chunks.Add(new Range(start, i));
                (start, size) = (i, 0);
            }
            size += length;
        }
        if (items.Count > start)
            chunks.Add(new Range(start, items.Count));
        return chunks;
    }

    private static TxnOp[] Puts(IReadOnlyList<KeyValuePair<string, string>> items, Range chunk)
    {
        var (offset, length) = chunk.GetOffsetAndLength(items.Count);
        var puts = new TxnOp[length];
        for (var i = 0; i < length; i++)
            puts[i] = new TxnOp.Put(items[offset + i].Key, items[offset + i].Value);
        return puts;
    }

    /// <summary>The item index ranges (end exclusive) of the chunks <paramref name="chosen"/> picks, neighbours joined.</summary>
    private static List<Range> ItemRanges(List<Range> chunks, Func<int, bool> chosen)
    {
        var ranges = new List<Range>();
        for (var i = 0; i < chunks.Count; i++)
        {
            if (!chosen(i))
                continue;
            if (ranges.Count > 0 && ranges[^1].End.Value == chunks[i].Start.Value)
                ranges[^1] = new Range(ranges[^1].Start, chunks[i].End);
            else
                ranges.Add(chunks[i]);
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
