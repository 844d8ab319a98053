namespace PdCluster.Actors.Framework;

/// <summary>How many of a <see cref="TransmitFrames"/>' frames went out of <paramref name="Adapter"/>'s transmit queue.</summary>
public sealed record FramesTransmitted(string Adapter, int Sent, int Frames);
