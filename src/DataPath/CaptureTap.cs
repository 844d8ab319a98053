using PdCluster.Queues.Buffers;
using PdCluster.Queues.Capture;

namespace PdCluster.DataPath;

/// <summary>
/// The capture point of one PD receive queue (dpdk-pdump's tap): while a <see cref="CaptureRing"/> is armed, the
/// queue's forwarder copies every frame it drains into it; disarmed, the forwarder reads one field per burst. One
/// capture at a time. The tap outlives the queue actor's incarnations; it is closed while the queue does not run,
/// which ends the capture armed on it, and opened again when the queue runs again.
/// </summary>
public sealed class CaptureTap
{
    private readonly Lock _lock = new();
    private volatile CaptureRing? _armed;
    private string? _closedReason = "the queue has not started";

    /// <summary>The capture armed now, read by the queue's thread once per burst; null when none.</summary>
    public CaptureRing? Armed => _armed;

    /// <summary>Arms <paramref name="ring"/>; false, with the reason, when another capture is armed or the queue does not run.</summary>
    public bool TryArm(CaptureRing ring, out string? refusal)
    {
        lock (_lock)
        {
            refusal = _closedReason is { } closed ? $"the queue does not run ({closed})"
                : _armed is not null ? "another capture is running on this queue; only one at a time" : null;
            if (refusal is null)
                _armed = ring;
            return refusal is null;
        }
    }

    /// <summary>Disarms <paramref name="ring"/> if it is the one armed (the reader is done or went away).</summary>
    public void Disarm(CaptureRing ring)
    {
        lock (_lock)
        {
            if (_armed == ring)
                _armed = null;
        }
    }

    /// <summary>The queue runs: captures may be armed.</summary>
    public void Open()
    {
        lock (_lock)
            _closedReason = null;
    }

    /// <summary>The queue stops: the armed capture, if any, ends with <paramref name="reason"/> and no new one is armed until <see cref="Open"/>.</summary>
    public void Close(string reason)
    {
        lock (_lock)
        {
            _closedReason ??= reason;
            _armed?.Complete(reason);
            _armed = null;
        }
    }

    /// <summary>
    /// Copies the frames of <paramref name="received"/> into <paramref name="ring"/>, stamped now; buffers a failed queue
    /// handed back (<see cref="BufferFlags.Flushed"/>) carry no frame and are skipped. Allocates nothing.
    /// </summary>
    public static void Copy(CaptureRing ring, BufferPool pool, ReadOnlySpan<int> received)
    {
        var now = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        foreach (var handle in received)
        {
            if ((pool.Descriptor(handle).Flags & BufferFlags.Flushed) == 0)
                ring.Offer(pool.Packet(handle), now);
        }
    }
}
