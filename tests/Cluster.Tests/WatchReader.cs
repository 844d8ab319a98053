using PdCluster.Cluster;

namespace PdCluster.Tests.Cluster;

/// <summary>Reads a store's watch in tests.</summary>
internal static class WatchReader
{
    /// <summary>The first <paramref name="count"/> events of <paramref name="watch"/>; the watch is cancelled after <paramref name="patience"/>.</summary>
    public static async Task<List<WatchEvent>> Take(IAsyncEnumerable<WatchEvent> watch, int count, TimeSpan patience)
    {
        var events = new List<WatchEvent>();
        using var timeout = new CancellationTokenSource(patience);
        await foreach (var e in watch.WithCancellation(timeout.Token))
        {
            events.Add(e);
            if (events.Count == count)
                break;
        }
        return events;
    }
}
