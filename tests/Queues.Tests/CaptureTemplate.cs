namespace PdCluster.Tests.Queues;

/// <summary>A valid capture for the fuzzer to damage: its bytes, its packets' frames, and its fields worth lying in.</summary>
internal sealed record CaptureTemplate(string Name, byte[] Bytes, IReadOnlyList<byte[]> Frames, IReadOnlyList<CaptureField> Fields)
{
    public override string ToString() => Name;
}
