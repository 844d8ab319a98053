using System.Runtime.CompilerServices;
using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A real store whose watches can fall silent, as one behind etcd's JSON gateway does when a response is too big for
/// it: after <see cref="Silence"/>, every watch open at that moment stays open and delivers nothing more, while every
/// other call, and every watch started afterwards, goes through to <paramref name="inner"/> as before.
/// </summary>
internal sealed class SilentWatchStore(IClusterStore inner) : ForwardingStore(inner)
{
    private int _epoch;
    private int _swallowed;

    /// <summary>How many events the silenced watches swallowed.</summary>
    public int Swallowed => Volatile.Read(ref _swallowed);

    /// <summary>The watches open now deliver nothing more.</summary>
    public void Silence() => Interlocked.Increment(ref _epoch);

    public override async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        var epoch = Volatile.Read(ref _epoch);
        await foreach (var e in Inner.WatchAsync(prefix, fromRevision, cancel))
        {
            if (Volatile.Read(ref _epoch) == epoch)
                yield return e;
            else
                Interlocked.Increment(ref _swallowed);
        }
    }
}
