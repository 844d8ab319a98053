using System.Diagnostics;
using System.Threading.Channels;
using PdCluster.Cluster;

namespace PdCluster.Bench.Cluster;

/// <summary>
/// The anchor of the filter-push figures: a put through etcd's gateway until the same client's watch delivers it,
/// on the same cluster, the floor any change that travels put → watch pays.
/// </summary>
internal sealed class EtcdRoundTrip : IAsyncDisposable
{
    private const string Prefix = "/bench/round-trip/";
    private readonly IClusterStore _store;
    private readonly Channel<(long Revision, long At)> _delivered = Channel.CreateUnbounded<(long, long)>();
    private readonly WatchLoop _pump;

    private EtcdRoundTrip(IClusterStore store, long from)
    {
        _store = store;
        _pump = new WatchLoop(stop => PumpAsync(from, stop));
    }

    /// <summary>Watches the probe's prefix from the store's next revision.</summary>
    public static async Task<EtcdRoundTrip> StartAsync(IClusterStore store) =>
        new(store, (await store.RangeAsync(Prefix)).Revision + 1);

    /// <summary>One put → watch round trip, in milliseconds.</summary>
    public async Task<double> MeasureAsync(int sequence)
    {
        var start = Stopwatch.GetTimestamp();
        var revision = await _store.PutAsync(Prefix + "key", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        while (true)
        {
            var (delivered, at) = await _delivered.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (delivered == revision)
                return Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
        }
    }

    public ValueTask DisposeAsync() => _pump.DisposeAsync();

    private async Task PumpAsync(long from, CancellationToken stop)
    {
        await foreach (var e in _store.WatchAsync(Prefix, from, stop))
            _delivered.Writer.TryWrite((e.Revision, Stopwatch.GetTimestamp()));
    }
}
