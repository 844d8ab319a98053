using PdCluster.Actors.Framework;

namespace PdCluster.Node.Commands;

/// <summary>One queue's counters at one instant, for rates between two samples.</summary>
internal readonly record struct QueueSample(long Rx, long Tx, long Drops, long ToOs, TimeSpan Busy)
{
    public static QueueSample Of(QueueTelemetry q) => new(
        q.Receive.ReceiveCounters.PacketsReceived, q.Transmit.TransmitCounters.PacketsTransmitted,
        q.Dropped + q.Receive.ReceiveCounters.PacketsDropped, q.HandedToOs, q.Busy);
}
