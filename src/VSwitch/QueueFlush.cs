using PdCluster.Provider;

namespace PdCluster.VSwitch;

/// <summary>Flushes a queue that may belong to a failed interface.</summary>
internal static class QueueFlush
{
    /// <summary>Flushes <paramref name="queue"/>; a failed interface has no ring to flush, and what it held comes back by the drains that follow.</summary>
    public static void Flush(IPdQueue queue)
    {
        try
        {
            queue.FlushQueue();
        }
        catch (PdException)
        {
            // Nothing to flush on a failed interface.
        }
    }
}
