using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Tests.Queues;

public sealed class PropertyTests
{
    private static readonly byte[][] Templates =
    [
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(1, 53).Build(),
        new FrameBuilder().Ethernet(2, 1).Vlan(7).Vlan(8).Ipv4("198.18.0.1", "198.18.0.2", options: new byte[12]).Tcp(1, 80).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2", extensionHeaders: [0, 44, 60]).Tcp(9, 443).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2").Icmp(128, 0).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, 4789).Vxlan(99).Ethernet(4, 3).Ipv4("198.19.0.1", "198.19.0.2").Tcp(1, 2).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Gre(5u << 8).Ethernet(4, 3).Ipv6("2001:db8::3", "2001:db8::4").Udp(3, 4).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Ipv6("2001:db8::3", "2001:db8::4").Udp(3, 4).Build(),
    ];

    private static readonly ClassifierRule[] Rules =
    [
        new(0, [FieldMatchSyntax.Parse(MatchField.SourceIp, "198.18.0.0/15")]),
        new(1, [FieldMatchSyntax.Parse(MatchField.DestinationPort, "1-1024"), FieldMatchSyntax.Parse(MatchField.Protocol, "tcp")]),
        new(2, [FieldMatchSyntax.Parse(MatchField.TcpFlags, "syn|fin")]),
        new(3, [FieldMatchSyntax.Parse(MatchField.TenantId, "99"), FieldMatchSyntax.Parse(MatchField.InnerDestinationPort, "0-100")]),
        new(4, [FieldMatchSyntax.Parse(MatchField.DestinationIp, "2001:db8::/32")]),
        new(5, [FieldMatchSyntax.Parse(MatchField.EtherType, "ipv6")]),
    ];

    private static readonly Classifier Compiled = Classifier.Compile(Rules);
    private static readonly LinearScanClassifier Linear = new(Rules);

    /// <summary>A frame from one of three shapes: random bytes, a truncated template, a template with random bytes flipped.</summary>
    private static Gen<byte[]> Frames()
    {
        var random = ArbMap.Default.GeneratorFor<byte[]>();
        var truncated =
            from t in Gen.Choose(0, Templates.Length - 1)
            from n in Gen.Choose(0, Templates[t].Length)
            select Templates[t][..n];
        var mutated =
            from t in Gen.Choose(0, Templates.Length - 1)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 200), Gen.Choose(0, 255)))
            from cut in Gen.Choose(0, 200)
            select Mutate(Templates[t], flips, cut);
        return Gen.OneOf(random, truncated, mutated);
    }

    private static byte[] Mutate(byte[] template, (int Position, int Value)[] flips, int cut)
    {
        var frame = (byte[])template.Clone();
        foreach (var (position, value) in flips)
            frame[position % frame.Length] = (byte)value;
        return frame[..Math.Min(frame.Length, Math.Max(cut, frame.Length / 2))];
    }

    [Fact]
    public void Parser_and_classifier_survive_100k_random_and_truncated_frames()
    {
        var property = Prop.ForAll(Frames().ToArbitrary(), frame =>
        {
            var info = new PacketInfo();
            PacketParser.Parse(frame, ref info);
            var offsetsInside = info.PayloadOffset <= frame.Length && info.TransportOffset <= frame.Length && info.NetworkOffset <= frame.Length;
            var tupleSpace = Compiled.Classify(in info.Key);
            return offsetsInside && tupleSpace == Linear.Classify(in info.Key);
        });
        property.Check(Config.QuickThrowOnFailure.WithMaxTest(100_000));
    }

    private static readonly byte[][] Ipv4Templates =
    [
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2", ttl: 1, dscp: 10).Udp(1, 53).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Tcp(1, 80, flags: 0x12).Payload(30).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, 4789).Vxlan(3).Ethernet(4, 3).Ipv4("198.19.0.1", "198.19.0.2").Udp(1, 2).Build(),
    ];

    private static bool SameResult(in PacketInfo a, in PacketInfo b)
    {
        for (var w = 0; w < FlowKey.Words; w++)
        {
            if (a.Key[w] != b.Key[w])
                return false;
        }
        return a.Depth == b.Depth && a.InnerDepth == b.InnerDepth && a.Error == b.Error && a.VlanCount == b.VlanCount
            && a.InnerVlanId == b.InnerVlanId && a.NetworkOffset == b.NetworkOffset && a.TransportOffset == b.TransportOffset
            && a.PayloadOffset == b.PayloadOffset;
    }

    [Fact]
    public void The_ipv4_fast_path_agrees_with_the_full_header_walk()
    {
        // Mutations concentrated on the header bytes the fast path decides on: EtherType, version/IHL, lengths,
        // fragment field, protocol, TCP data offset, ports.
        var frames =
            from t in Gen.Elements(Ipv4Templates)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Elements(12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 34, 35, 36, 37, 46, 47), Gen.Choose(0, 255)))
            from cut in Gen.Choose(30, 120)
            select Mutate(t, flips, cut);
        Prop.ForAll(frames.ToArbitrary(), frame =>
        {
            PacketInfo fast = default, general = default;
            var fastOk = PacketParser.Parse(frame, ref fast);
            var generalOk = PacketParser.ParseGeneral(frame, ref general);
            return fastOk == generalOk && SameResult(in fast, in general);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100_000));
    }

    private static Gen<FieldMatch> Conditions()
    {
        var port = Gen.Choose(0, 40).Select(v => (UInt128)v);
        var equal = Gen.Zip(Gen.Elements(MatchField.SourcePort, MatchField.DestinationPort), port)
            .Select(t => FieldMatch.Equal(t.Item1, t.Item2));
        var mask = Gen.Zip(port, Gen.Choose(0, 63))
            .Select(t => new FieldMatch(MatchField.DestinationPort, FieldMatchType.MaskEqual, t.Item1, (UInt128)t.Item2));
        var range = Gen.Zip(port, port)
            .Select(t => FieldMatch.Range(MatchField.SourcePort, UInt128.Min(t.Item1, t.Item2), UInt128.Max(t.Item1, t.Item2)));
        var flags = Gen.Choose(1, 255).Select(f => FieldMatch.AnyBit(MatchField.TcpFlags, (UInt128)f));
        var prefix = Gen.Zip(Gen.Choose(0, 255), Gen.Choose(0, 32))
            .Select(t => FieldMatch.Prefix(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u | (uint)t.Item1), 96 + t.Item2));
        return Gen.OneOf(equal, mask, range, flags, prefix);
    }

    private static Gen<ClassifierRule> RandomRules() =>
        from priority in Gen.Choose(0, 3)
        from conditions in Gen.ListOf(Conditions())
        select new ClassifierRule(priority, conditions.DistinctBy(c => c.Field).Take(3).ToArray());

    private static Gen<FlowKey> Keys() =>
        from sport in Gen.Choose(0, 40)
        from dport in Gen.Choose(0, 40)
        from flags in Gen.Choose(0, 255)
        from host in Gen.Choose(0, 255)
        select MakeKey(sport, dport, flags, host);

    private static FlowKey MakeKey(int sport, int dport, int flags, int host)
    {
        var key = new FlowKey();
        key.Set(MatchField.SourcePort, (ulong)sport);
        key.Set(MatchField.DestinationPort, (ulong)dport);
        key.Set(MatchField.TcpFlags, (ulong)flags);
        key.Set(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u | (uint)host));
        return key;
    }

    [Fact]
    public void Tuple_space_search_agrees_with_a_linear_scan()
    {
        var gen =
            from rules in Gen.ListOf(RandomRules())
            from keys in Gen.ArrayOf(Keys())
            select (rules, keys);
        Prop.ForAll(gen.ToArbitrary(), t => AgreesWithLinearScan(t.rules.ToArray(), t.keys))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2_000).WithEndSize(60));
    }

    [Fact]
    public void Hashed_and_scanned_subtables_agree_with_a_linear_scan()
    {
        // Exact destination ports share one mask: past Subtable.ScanLimit entries that table is hashed, below it scanned.
        var gen =
            from exact in Gen.Choose(1, 4 * Subtable.ScanLimit)
            from priorities in Gen.ArrayOf(Gen.Choose(0, 3), exact)
            from others in Gen.ListOf(RandomRules())
            from keys in Gen.ArrayOf(Keys())
            select (rules: priorities.Select((p, port) => new ClassifierRule(p, [FieldMatch.Equal(MatchField.DestinationPort, (UInt128)port)])).Concat(others).ToArray(), keys);
        Prop.ForAll(gen.ToArbitrary(), t => AgreesWithLinearScan(t.rules, t.keys))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(1_000).WithEndSize(30));
    }

    private static bool AgreesWithLinearScan(ClassifierRule[] rules, FlowKey[] keys)
    {
        var compiled = Classifier.Compile(rules);
        var linear = new LinearScanClassifier(rules);
        return keys.All(k => compiled.Classify(in k) == linear.Classify(in k));
    }
}
