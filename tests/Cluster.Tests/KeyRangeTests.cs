using System.Text;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Cluster.Etcd;

namespace PdCluster.Tests.Cluster;

/// <summary>etcd's prefix range: a key is in [key, rangeEnd) exactly when its UTF-8 bytes start with the prefix's, compared as etcd does, bytewise.</summary>
public sealed class KeyRangeTests
{
    private static int Bytewise(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private static bool InRange(byte[] key, (byte[] Key, byte[] RangeEnd) range) =>
        Bytewise(key, range.Key) >= 0 && (range.RangeEnd is [0] || Bytewise(key, range.RangeEnd) < 0);

    [Fact]
    public void A_key_is_in_the_prefix_range_exactly_when_it_starts_with_the_prefix()
    {
        var text = Gen.Elements("", "/", "/pd/", "/pd/lab/", "a", "\u00ff", "\uffff", "ÿÿ", "z\u007f").SelectMany(p => ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => (Prefix: p, Tail: s)));
        Prop.ForAll(text.ToArbitrary(), ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).ToArbitrary(), (pair, other) =>
        {
            var prefix = pair.Prefix + (pair.Tail.Length > 3 ? pair.Tail[..3] : "");
            var range = KeyRange.Prefix(prefix);
            // etcd has no empty key.
            foreach (var key in new[] { prefix + pair.Tail, other, prefix, prefix + "\uffff", prefix.Length > 0 ? prefix[..^1] : "x" }.Where(k => k.Length > 0))
            {
                var bytes = Encoding.UTF8.GetBytes(key);
                Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.GetBytes(prefix)) == InRange(bytes, range), $"'{key}' under '{prefix}'");
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void The_empty_prefix_is_every_key()
    {
        var (key, end) = KeyRange.Prefix("");
        Assert.Equal([(byte)0], key);
        Assert.Equal([(byte)0], end);
    }
}
