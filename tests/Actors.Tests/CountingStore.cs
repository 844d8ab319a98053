using PdCluster.Cluster;

namespace PdCluster.Tests.Actors;

/// <summary>
/// A real <see cref="InMemoryStore"/> behind a decorator that counts keepalives and, on request, holds their answers
/// back after the store has renewed the lease (a slow store), so tests see how often and how concurrently a client
/// renews.
/// </summary>
internal sealed class CountingStore(InMemoryStore store) : ForwardingStore(store)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _hold;
    private int _keepAlives;
    private int _inFlight;
    private int _maxInFlight;
    private int _held;

    /// <summary>Keepalives asked for so far.</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    /// <summary>The most keepalives that were unanswered at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Keepalives that renewed the lease and wait for <see cref="Answer"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>From now on, keepalives renew the lease but answer only after <see cref="Answer"/>.</summary>
    public void Hold()
    {
        lock (_lock)
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Answers the held keepalives and stops holding.</summary>
    public void Answer()
    {
        TaskCompletionSource? hold;
        lock (_lock)
            (hold, _hold) = (_hold, null);
        hold?.TrySetResult();
    }

    public override async Task KeepAliveAsync(long lease, CancellationToken cancel = default)
    {
        Interlocked.Increment(ref _keepAlives);
        var inFlight = Interlocked.Increment(ref _inFlight);
        lock (_lock)
            _maxInFlight = Math.Max(_maxInFlight, inFlight);
        try
        {
            await Inner.KeepAliveAsync(lease, cancel);
            Task? hold;
            lock (_lock)
                hold = _hold?.Task;
            if (hold is not null)
            {
                Interlocked.Increment(ref _held);
                try
                {
                    await hold.WaitAsync(cancel);
                }
                finally
                {
                    Interlocked.Decrement(ref _held);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The longest value a put may carry (as etcd's request limit), or 0 for no limit.</summary>
    public int MaxValueLength { get; set; }

    public override Task<long> PutAsync(string key, string value, long lease = 0, CancellationToken cancel = default) =>
        MaxValueLength > 0 && value.Length > MaxValueLength ? Task.FromException<long>(new IOException("request is too large")) : Inner.PutAsync(key, value, lease, cancel);
}
