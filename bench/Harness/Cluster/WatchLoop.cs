namespace PdCluster.Bench.Cluster;

/// <summary>A loop over a store watch, run in the background until disposed: disposing cancels it and waits for it to end.</summary>
internal sealed class WatchLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WatchLoop(Func<CancellationToken, Task> loop) => _loop = Task.Run(() => loop(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
