namespace PdCluster.Tests.Queues;

/// <summary>A length, interface or version field of a test capture: where it is, how wide, in which byte order.</summary>
internal readonly record struct CaptureField(int Position, int Size, bool BigEndian);
