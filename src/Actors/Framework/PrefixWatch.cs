using PdCluster.Actors.Kernel;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// A watch of one or more store prefixes that reports to an actor: each event as <see cref="Changed"/>, the end of the
/// watch of any of them (a store error, <see cref="CompactedException"/>, or the store closing it) as
/// <see cref="Failed"/>. Each carries the watch's generation, so an actor that started a new watch can ignore what the
/// old one still sends. Events of one prefix arrive in revision order; those of different prefixes may interleave.
/// </summary>
public sealed class PrefixWatch : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    private PrefixWatch(int generation) => Generation = generation;

    /// <summary>Tells the watch's reports from those of the actor's earlier watches.</summary>
    public int Generation { get; }

    /// <summary>One event of the watch.</summary>
    public sealed record Changed(int Generation, WatchEvent Event);

    /// <summary>The watch ended.</summary>
    public sealed record Failed(int Generation, Exception Cause);

    /// <summary>Watches <paramref name="prefix"/> from <paramref name="fromRevision"/>, reporting to <paramref name="actor"/>.</summary>
    public static PrefixWatch Start(IClusterStore store, string prefix, long fromRevision, int generation, IActorRef actor) =>
        Start(store, [prefix], fromRevision, generation, actor);

    /// <summary>
    /// Watches each of <paramref name="prefixes"/> from <paramref name="fromRevision"/>, reporting to
    /// <paramref name="actor"/>: a watch per prefix, so nothing outside them reaches this node.
    /// </summary>
    public static PrefixWatch Start(IClusterStore store, IReadOnlyList<string> prefixes, long fromRevision, int generation, IActorRef actor)
    {
        var watch = new PrefixWatch(generation);
        foreach (var prefix in prefixes)
            _ = watch.PumpAsync(store, prefix, fromRevision, actor);
        return watch;
    }

    private async Task PumpAsync(IClusterStore store, string prefix, long from, IActorRef actor)
    {
        await Task.Yield();
        var cancel = _cancel.Token;
        try
        {
            await foreach (var e in store.WatchAsync(prefix, from, cancel))
                actor.Tell(new Changed(Generation, e));
            if (!cancel.IsCancellationRequested)
                actor.Tell(new Failed(Generation, new InvalidOperationException("the store ended the watch.")));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            actor.Tell(new Failed(Generation, e));
        }
    }

    /// <summary>Ends the watch; nothing more is reported.</summary>
    public void Dispose()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }
}
