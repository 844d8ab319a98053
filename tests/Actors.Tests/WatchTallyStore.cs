using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>A real store behind a decorator that keeps the key of every event its watches delivered, so a test sees what reached a node.</summary>
internal sealed class WatchTallyStore(IClusterStore inner) : ForwardingStore(inner)
{
    private readonly ConcurrentQueue<string> _delivered = new();

    /// <summary>How many delivered events had a key starting with <paramref name="prefix"/>.</summary>
    public int DeliveredUnder(string prefix) => _delivered.Count(k => k.StartsWith(prefix, StringComparison.Ordinal));

    public override async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        await foreach (var e in Inner.WatchAsync(prefix, fromRevision, cancel))
        {
            _delivered.Enqueue(e.Item.Key);
            yield return e;
        }
    }
}
