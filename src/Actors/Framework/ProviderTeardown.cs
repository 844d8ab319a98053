using PdCluster.Provider;

namespace PdCluster.Actors.Framework;

/// <summary>
/// PD's teardown of a provider whose queues have stopped and given every buffer back: clear its receive filters, free
/// its queues, release its RSS queues, close it. It runs on a thread of its own, so an adapter supervisor stays free to
/// hear device events while the kernel takes its time: on a device being deleted, closing sockets and the OS path's
/// TAP waits for the deletion to let go of the RTNL lock.
/// </summary>
internal sealed class ProviderTeardown(IPdProvider provider, IReadOnlyList<PdReceiveFilter> filters, IReadOnlyList<QueueTelemetry> queues)
{
    /// <summary>Tears down on the calling thread; <paramref name="error"/> hears of a queue that could not be freed.</summary>
    public void Run(Action<string, Exception> error)
    {
        try
        {
            provider.UpdateReceiveFilters(filters, []);
        }
        catch (PdException)
        {
            // The device already dropped its filters (surprise removal).
        }
        foreach (var t in queues)
        {
            TryFree(t.Transmit, error);
            if (t.Queue > 0)
                TryFree(t.Receive, error);
        }
        provider.ReleaseReceiveQueues();
        provider.Dispose();
    }

    /// <summary>Tears down on a new thread; the task ends when the provider is closed.</summary>
    public Task RunInBackground(string name, Action<string, Exception> error)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                Run(error);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true, Name = $"close {name}" }.Start();
        return done.Task;
    }

    private void TryFree(IPdQueue queue, Action<string, Exception> error)
    {
        try
        {
            provider.FreeQueue(queue);
        }
        catch (PdException e)
        {
            error($"could not free queue: {e.Message}", e);
        }
    }
}
