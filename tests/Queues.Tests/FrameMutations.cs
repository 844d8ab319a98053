using FsCheck;
using FsCheck.Fluent;

namespace PdCluster.Tests.Queues;

/// <summary>Frames for reader fuzzing: <c>frame</c> with one byte changed, cut short after such a change, or any bytes at all.</summary>
internal static class FrameMutations
{
    public static Gen<byte[]> Of(byte[] frame)
    {
        var mutated = Gen.Choose(0, frame.Length - 1).SelectMany(at => Gen.Choose(0, 255).Select(value =>
        {
            var copy = frame.ToArray();
            copy[at] = (byte)value;
            return copy;
        }));
        return Gen.OneOf(mutated, ArbMap.Default.GeneratorFor<byte[]>(), mutated.SelectMany(f => Gen.Choose(0, f.Length).Select(n => f[..n])));
    }
}
