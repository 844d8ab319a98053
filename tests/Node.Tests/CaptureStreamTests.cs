using FsCheck;
using FsCheck.Fluent;
using PdCluster.Node.Admin;

namespace PdCluster.Tests.Node;

/// <summary>The capture stream between the admin endpoint and <c>pd capture</c>: written frames read back, and a damaged stream is refused.</summary>
public sealed class CaptureStreamTests
{
    private const int Snap = 96;

    private static byte[] Stream(IReadOnlyList<byte[]> frames, string? reason)
    {
        var body = new MemoryStream();
        var record = new byte[CaptureStream.RecordSize(Snap)];
        for (var i = 0; i < frames.Count; i++)
        {
            var captured = Math.Min(frames[i].Length, Snap);
            frames[i].AsSpan(0, captured).CopyTo(record.AsSpan(CaptureStream.FrameData));
            body.Write(record, 0, CaptureStream.FrameRecord(record, 10_000_000L * i, frames[i].Length, captured));
        }
        body.Write(CaptureStream.EndRecord(frames.Count, 3, reason));
        return body.ToArray();
    }

    private static (List<(byte[] Data, int Original, DateTimeOffset Time)> Frames, CaptureEnd End) Read(byte[] body)
    {
        var frames = new List<(byte[], int, DateTimeOffset)>();
        var end = CaptureStream.ReadAsync(new MemoryStream(body), Snap, (data, original, time) => frames.Add((data.ToArray(), original, time)), CancellationToken.None)
            .GetAwaiter().GetResult();
        return (frames, end);
    }

    [Fact]
    public void Frames_and_the_end_read_back_as_written()
    {
        var frames = Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 40 + i * 20).Select(b => (byte)(b + i)).ToArray()).ToList();
        var (read, end) = Read(Stream(frames, "pd0 was removed"));
        Assert.Equal(frames.Select(f => f[..Math.Min(f.Length, Snap)]), read.Select(r => r.Data));
        Assert.Equal(frames.Select(f => f.Length), read.Select(r => r.Original));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(4), read[4].Time);
        Assert.Equal(new CaptureEnd(5, 3, "pd0 was removed"), end);
        Assert.Null(Read(Stream([], null)).End.Reason);
    }

    [Fact]
    public void A_damaged_stream_reads_or_is_refused_as_invalid_data_and_never_otherwise()
    {
        var streams =
            from count in Gen.Choose(0, 4)
            from lengths in Gen.ArrayOf(Gen.Choose(0, 200), count)
            from reason in Gen.Elements<string?>(null, "pd0 was removed")
            let body = Stream([.. lengths.Select(l => new byte[l])], reason)
            from cut in Gen.Choose(0, body.Length)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, body.Length - 1), Gen.Choose(0, 7)), 3)
            from damage in Gen.Elements(0, 1, 2)
            select damage switch
            {
                0 => body[..cut],
                1 => Flip(body, flips),
                _ => Flip(body[..cut], [.. flips.Where(f => f.Item1 < cut)]),
            };
        Prop.ForAll(streams.ToArbitrary(), body =>
        {
            try
            {
                var (frames, _) = Read(body);
                Assert.All(frames, f => Assert.InRange(f.Data.Length, 0, Math.Min(Snap, f.Original)));
            }
            catch (InvalidDataException)
            {
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    private static byte[] Flip(byte[] body, (int At, int Bit)[] flips)
    {
        var copy = (byte[])body.Clone();
        foreach (var (at, bit) in flips)
            copy[at] ^= (byte)(1 << bit);
        return copy;
    }
}
