namespace PdCluster.Actors.Framework;

/// <summary>
/// Sends frames the node built (address announcements: gratuitous ARPs, neighbor advertisements) out of a PD transmit queue. To an adapter
/// supervisor: out of its queue 0, answered by <see cref="FramesTransmitted"/> (0 sent when the adapter is not running).
/// To a queue actor: between two bursts.
/// </summary>
public sealed record TransmitFrames(IReadOnlyList<byte[]> Frames);
