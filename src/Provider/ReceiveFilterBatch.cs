namespace PdCluster.Provider;

/// <summary>What every provider checks of a receive-filter batch before it changes anything.</summary>
internal static class ReceiveFilterBatch
{
    /// <summary>Throws <see cref="PdException"/> (InvalidParameter) unless every filter in <paramref name="clear"/> is one of <paramref name="set"/>.</summary>
    public static void EnsureSet(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyDictionary<int, PdReceiveFilter> set)
    {
        foreach (var filter in clear)
        {
            if (!set.ContainsKey(filter.Id))
                throw new PdException(PdStatus.InvalidParameter, $"Filter {filter.Id} is not set on this provider.");
        }
    }
}
