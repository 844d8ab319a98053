namespace PdCluster.Nic.SoftNic;

/// <summary>
/// The line at full rate with no sender: while a <see cref="SoftNic"/> has one, every poll of a receive queue finds
/// each posted buffer it can drain filled with the next of these frames, as DPDK's null PMD fills its bursts. Load
/// then costs the receiving queue's thread the copy a NIC's DMA would do and nothing else, so a benchmark can keep
/// every queue busy without a generator thread competing for the cores. Frames reach the polled queue whatever the
/// adapter's receive filters and RSS say.
/// </summary>
public sealed class LineRateSource
{
    private readonly byte[][] _frames;

    /// <summary>Builds the frames of <paramref name="flows"/> (MACs as given), sent round-robin.</summary>
    public LineRateSource(IReadOnlyList<GeneratorFlow> flows)
    {
        if (flows.Count == 0)
            throw new ArgumentException("The line needs at least one flow.", nameof(flows));
        _frames = [.. flows.Select(TrafficGenerator.BuildTemplate)];
    }

    /// <summary>The frame after <paramref name="cursor"/>'s, which advances it.</summary>
    internal ReadOnlySpan<byte> Next(ref int cursor)
    {
        var frame = _frames[cursor];
        cursor = cursor + 1 == _frames.Length ? 0 : cursor + 1;
        return frame;
    }
}
