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
        new(0, [FieldMatchSyntax.Parse(MatchField.VlanId, "0")]),
        new(0, [FieldMatchSyntax.Parse(MatchField.IcmpType, "0"), FieldMatchSyntax.Parse(MatchField.SourcePort, "0-65535")]),
        new(0, [FieldMatchSyntax.Parse(MatchField.InnerSourceIp, "::/0")]),
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
        // Shorter than /96, so written in IPv6 form: they need an IPv6 header although they cover IPv4-mapped addresses.
        var ipv6Prefix = Gen.Choose(0, 95).Select(length => FieldMatch.Prefix(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u), length));
        return Gen.OneOf(equal, mask, range, flags, prefix, ipv6Prefix);
    }

    private static Gen<ClassifierRule> RandomRules() =>
        from priority in Gen.Choose(0, 3)
        from conditions in Gen.ListOf(Conditions())
        select new ClassifierRule(priority, conditions.DistinctBy(c => c.Field).Take(3).ToArray());

    private const PacketHeaders Ipv4Tcp = PacketHeaders.Ethernet | PacketHeaders.Ip | PacketHeaders.Ipv4 | PacketHeaders.Ports | PacketHeaders.Tcp;

    /// <summary>Keys of IPv4 TCP frames mostly, otherwise with any headers (but no inner IPv4, whose addresses these keys leave zero).</summary>
    private static Gen<FlowKey> Keys() =>
        from sport in Gen.Choose(0, 40)
        from dport in Gen.Choose(0, 40)
        from flags in Gen.Choose(0, 255)
        from host in Gen.Choose(0, 255)
        from headers in Gen.Frequency(
            (3, Gen.Constant(Ipv4Tcp)),
            (2, Gen.Choose(0, (int)FlowKey.AllHeaders).Select(h => (PacketHeaders)h & ~PacketHeaders.InnerIpv4)))
        select MakeKey(sport, dport, flags, host, headers);

    private static FlowKey MakeKey(int sport, int dport, int flags, int host, PacketHeaders headers)
    {
        var key = new FlowKey();
        key.Set(MatchField.SourcePort, (ulong)sport);
        key.Set(MatchField.DestinationPort, (ulong)dport);
        key.Set(MatchField.TcpFlags, (ulong)flags);
        key.Set(MatchField.SourceIp, PacketParser.MapIpv4(0xC6120000u | (uint)host));
        key.Set(MatchField.DestinationIp, PacketParser.MapIpv4(0xC613FF01u));
        key.Headers = headers;
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

    /// <summary>Frames with every kind of header the parser knows, and frames that lack each.</summary>
    private static readonly byte[][] HeaderTemplates =
    [
        .. Templates,
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2", ttl: 1, dscp: 10).Tcp(7, 80, flags: 0x12).Build(),
        new FrameBuilder().Ethernet(2, 1).Vlan(0, priority: 5).Ipv4("198.18.0.1", "198.18.0.2").Icmp(0, 0).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2", fragmentOffset: 100).Udp(1, 2).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv6("::ffff:198.18.0.1", "::ffff:198.18.0.2").Udp(0, 0).Build(),
        new FrameBuilder().Ethernet(2, 1, EtherType.Arp).Payload(28).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Udp(5, PacketParser.VxlanPort).Vxlan(0).Ethernet(4, 3, EtherType.Arp).Payload(28).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv6("2001:db8::1", "2001:db8::2").Udp(5, PacketParser.VxlanPort).Vxlan(3).Ethernet(4, 3).Ipv6("2001:db8::3", "2001:db8::4").Tcp(1, 2).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Gre().Ipv4("198.19.0.1", "198.19.0.2").Icmp(8, 0).Build(),
        new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.0.2").Ipv4("198.19.0.1", "198.19.0.3").Tcp(1, 8).Build(),
    ];

    private static Gen<byte[]> HeaderFrames()
    {
        var whole = Gen.Elements(HeaderTemplates);
        var truncated =
            from t in Gen.Elements(HeaderTemplates)
            from n in Gen.Choose(0, t.Length)
            select t[..n];
        var mutated =
            from t in Gen.Elements(HeaderTemplates)
            from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 120), Gen.Choose(0, 255)))
            from cut in Gen.Choose(0, 120)
            select Mutate(t, flips, cut);
        return Gen.OneOf(whole, truncated, mutated);
    }

    /// <summary>
    /// A condition on <paramref name="field"/> that the value <paramref name="key"/> holds there satisfies: equal to it,
    /// the field's whole range, a range or prefix around it, or (TCP flags) any of its bits.
    /// </summary>
    private static FieldMatch ConditionHolding(MatchField field, int kind, int spread, in FlowKey key)
    {
        var spec = FieldSpec.Of(field);
        var value = key.Get(field);
        var max = spec.FieldMask;
        return kind switch
        {
            1 => FieldMatch.Range(field, 0, max),
            2 => FieldMatch.Range(field, value - UInt128.Min(value, (UInt128)spread), value + UInt128.Min(max - value, (UInt128)spread)),
            3 => FieldMatch.Prefix(field, value, spread % (spec.Bits + 1)),
            4 when field == MatchField.TcpFlags && value != 0 => FieldMatch.AnyBit(field, value),
            _ => FieldMatch.Equal(field, value),
        };
    }

    /// <summary>The outer headers <see cref="PacketInfo"/>'s depth, tags, EtherType, protocol and tunnel say the frame has.</summary>
    private static PacketHeaders OuterHeadersByDepth(in PacketInfo info)
    {
        var headers = PacketHeaders.None;
        if (info.Depth >= ParseDepth.Link)
            headers |= PacketHeaders.Ethernet | (info.VlanCount > 0 ? PacketHeaders.Vlan : 0);
        if (info.Depth >= ParseDepth.Network)
            headers |= PacketHeaders.Ip | ((ushort)info.Key.Get(MatchField.EtherType) == EtherType.Ipv4 ? PacketHeaders.Ipv4 : PacketHeaders.Ipv6);
        if (info.Depth == ParseDepth.Transport)
        {
            headers |= (byte)info.Key.Get(MatchField.Protocol) switch
            {
                IpProtocol.Tcp => PacketHeaders.Ports | PacketHeaders.Tcp,
                IpProtocol.Udp => PacketHeaders.Ports,
                IpProtocol.Icmp or IpProtocol.IcmpV6 => PacketHeaders.Icmp,
                _ => PacketHeaders.None,
            };
        }
        if (info.Encapsulation is Encapsulation.Vxlan or Encapsulation.Nvgre)
            headers |= PacketHeaders.Overlay;
        return headers;
    }

    private const PacketHeaders OuterHeaders = PacketHeaders.Ethernet | PacketHeaders.Vlan | PacketHeaders.Ip | PacketHeaders.Ipv4
        | PacketHeaders.Ipv6 | PacketHeaders.Ports | PacketHeaders.Tcp | PacketHeaders.Icmp | PacketHeaders.Overlay;

    [Fact]
    public void A_rule_matches_a_frame_only_when_the_frame_has_every_header_the_rule_names()
    {
        // Each rule's conditions hold on the field values of one of the frames (its source), headers or not; so on its
        // source frame a rule matches exactly when every header it names is there, and on any frame never without them.
        var condition =
            from field in Gen.Elements(Enum.GetValues<MatchField>())
            from kind in Gen.Choose(0, 4)
            from spread in Gen.Choose(0, 128)
            select (field, kind, spread);
        var gen =
            from count in Gen.Choose(1, 6)
            from frames in Gen.ArrayOf(HeaderFrames(), count)
            from recipes in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, count - 1), Gen.ArrayOf(condition)))
            select (frames, recipes);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var infos = new PacketInfo[t.frames.Length];
            for (var f = 0; f < infos.Length; f++)
            {
                PacketParser.Parse(t.frames[f], ref infos[f]);
                if (OuterHeadersByDepth(in infos[f]) != (infos[f].Headers & OuterHeaders))
                    return false;
            }
            foreach (var (source, conditions) in t.recipes)
            {
                ClassifierRule[] rule =
                [
                    new(0, [.. conditions.DistinctBy(c => c.field).Take(4).Select(c => ConditionHolding(c.field, c.kind, c.spread, in infos[source].Key))]),
                ];
                var compiled = Classifier.Compile(rule);
                var linear = new LinearScanClassifier(rule);
                for (var f = 0; f < infos.Length; f++)
                {
                    var hasHeaders = rule[0].Matches.All(m => infos[f].Key.Has(m.Header));
                    var match = compiled.Classify(in infos[f].Key);
                    if (match != linear.Classify(in infos[f].Key) || (!hasHeaders && match != -1) || (f == source && hasHeaders && match != 0))
                        return false;
                }
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(3_000).WithEndSize(20));
    }

    private static bool AgreesWithLinearScan(ClassifierRule[] rules, FlowKey[] keys)
    {
        var compiled = Classifier.Compile(rules);
        var linear = new LinearScanClassifier(rules);
        return keys.All(k => compiled.Classify(in k) == linear.Classify(in k));
    }
}
