using System.Text;
using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// The XDP program and the <see cref="Classifier"/> pick the same filter for the same bytes: frames sent through a
/// real veth are matched in XDP against a set of overlapping filters (several masks and priorities), and the filter
/// each frame arrives with (its RxFilterContext; none when it comes through the acquired RSS queue) must be the one
/// <see cref="PacketParser"/> and <see cref="Classifier"/> choose. Set PD_DIFFERENTIAL_SEED to replay a failure.
/// </summary>
public sealed class AfXdpClassifierDifferentialTests : IDisposable
{
    private const int RandomFrames = 1500;
    private const int Batch = 32;

    /// <summary>
    /// The filters, in the order they are set: (priority, conditions as operators write them). Rule
    /// <see cref="Shadowed"/> repeats rule 0 at its priority, so rule 0, set first, must always win over it.
    /// </summary>
    private static readonly (int Priority, (MatchField Field, string Value)[] Matches)[] FilterSet =
    [
        (5, [(MatchField.DestinationPort, "7000")]),
        (3, [(MatchField.Protocol, "udp"), (MatchField.SourceIp, "198.18.0.0/16")]),
        (1, [(MatchField.VlanId, "10")]),
        (1, [(MatchField.VlanId, "20"), (MatchField.VlanPriority, "5")]),
        (2, [(MatchField.EtherType, "ipv6"), (MatchField.Protocol, "icmpv6")]),
        (0, [(MatchField.IcmpType, "8"), (MatchField.IcmpCode, "0")]),
        (6, [(MatchField.SourcePort, "1000-1023")]),
        (2, [(MatchField.DestinationIp, "2001:db8::2")]),
        (7, [(MatchField.SourceIp, "::/0")]),
        (7, [(MatchField.DestinationIp, "0.0.0.0/0")]),
        (4, [(MatchField.IpVersion, "6"), (MatchField.Protocol, "0")]),
        (4, [(MatchField.IpVersion, "6"), (MatchField.Protocol, "60")]),
        (4, [(MatchField.Protocol, "44")]),
        (9, [(MatchField.EtherType, "0x88b5")]),
        (6, [(MatchField.TtlIsOne, "true")]),
        (6, [(MatchField.Dscp, "46")]),
        (10, [(MatchField.DestinationMac, "ff:ff:ff:ff:ff:ff")]),
        (3, [(MatchField.Protocol, "tcp"), (MatchField.DestinationPort, "80")]),
        (2, [(MatchField.SourceMac, "02:00:00:00:00:09"), (MatchField.EtherType, "0x8100")]),
        (5, [(MatchField.DestinationPort, "7000")]),
        (-1, [(MatchField.SourceIp, "198.18.0.7"), (MatchField.DestinationPort, "7000")]),
        (-1, [(MatchField.SourceIp, "::ffff:198.18.0.7")]),
        (2, [(MatchField.DestinationPort, "990-999"), (MatchField.Dscp, "0")]),
    ];

    internal const int Shadowed = 19;

    private readonly AfXdpOnVeth _rig = new();

    [VethFact]
    public void Xdp_steers_every_frame_by_the_filter_the_Classifier_picks_for_its_bytes()
    {
        var seed = Environment.GetEnvironmentVariable("PD_DIFFERENTIAL_SEED") is { } text ? int.Parse(text) : Random.Shared.Next();
        var (frames, rules, expected) = Plan(seed);
        var target = _rig.Posted(_rig.Provider.AllocateQueue(_rig.ReceiveQueue));
        var rss = _rig.Posted(_rig.Provider.AcquireReceiveQueues(_rig.ReceiveQueue, 1)[0]);
        var filters = _rig.Provider.UpdateReceiveFilters([], [.. rules.Select((r, i) => new ReceiveFilterParameters(r.Matches, target, r.Priority, (ulong)i + 1))]);

        SendAndCompare(seed, "all filters set", frames, expected, target, rss);
        for (var rule = 0; rule < rules.Count; rule++)
            Assert.Equal(expected.Count(e => e == rule), filters[rule].Counters.PacketsMatched);

        // Clearing filters at run time: every third one goes, rule 0 among them, so its twin takes over its hash entry.
        var kept = Enumerable.Range(0, rules.Count).Where(i => i % 3 != 0).ToList();
        _rig.Provider.UpdateReceiveFilters([.. Enumerable.Range(0, rules.Count).Except(kept).Select(i => filters[i])], []);
        var remaining = Classifier.Compile([.. kept.Select(i => rules[i])]);
        SendAndCompare(seed, "every third filter cleared", frames, [.. frames.Select(f => Expected(remaining, f) is var r and >= 0 ? kept[r] : -1)], target, rss);
    }

    public void Dispose() => _rig.Dispose();

    /// <summary>Sends <paramref name="frames"/> in batches and fails, naming the seed, where one arrives with another filter than <paramref name="expected"/> says, or not at all.</summary>
    private void SendAndCompare(int seed, string phase, List<byte[]> frames, List<int> expected, IPdQueue target, IPdQueue rss)
    {
        var failures = new List<string>();
        for (var start = 0; start < frames.Count && failures.Count == 0; start += Batch)
        {
            var batch = Enumerable.Range(start, Math.Min(Batch, frames.Count - start)).ToList();
            var pending = batch.GroupBy(i => Convert.ToHexString(frames[i])).ToDictionary(g => g.Key, g => new Queue<int>(g));
            foreach (var i in batch)
                _rig.Sender.Send(frames[i]);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (pending.Count > 0 && DateTime.UtcNow < deadline)
            {
                Drain(target, isTarget: true, pending, frames, expected, failures);
                Drain(rss, isTarget: false, pending, frames, expected, failures);
            }
            foreach (var i in pending.Values.SelectMany(q => q))
                failures.Add($"frame {i} never arrived: {Convert.ToHexString(frames[i])}");
        }
        Assert.True(failures.Count == 0, $"Seed {seed} (replay with PD_DIFFERENTIAL_SEED={seed}), {phase}: XDP disagrees with the Classifier:\n{string.Join('\n', failures.Take(10))}");
    }

    /// <summary>The frames of <paramref name="seed"/>, edge cases first, the rules of <see cref="FilterSet"/>, and the rule the Classifier picks for each frame (-1: none).</summary>
    internal static (List<byte[]> Frames, List<ClassifierRule> Rules, List<int> Expected) Plan(int seed)
    {
        var generator = new HeaderStackFrames(seed);
        var frames = HeaderStackFrames.EdgeCases().Concat(Enumerable.Range(0, RandomFrames).Select(_ => generator.Next())).ToList();
        var rules = FilterSet.Select(f => new ClassifierRule(f.Priority, [.. f.Matches.Select(m => FieldMatchSyntax.Parse(m.Field, m.Value))])).ToList();
        var classifier = Classifier.Compile(rules);
        return (frames, rules, [.. frames.Select(frame => Expected(classifier, frame))]);
    }

    /// <summary>The rule the Classifier picks for <paramref name="frame"/>, or -1.</summary>
    private static int Expected(Classifier classifier, byte[] frame)
    {
        var info = default(PacketInfo);
        PacketParser.Parse(frame, ref info);
        return classifier.Classify(in info.Key);
    }

    /// <summary>Takes what <paramref name="queue"/> received, checks each frame's filter, and posts the buffers again.</summary>
    private void Drain(IPdQueue queue, bool isTarget, Dictionary<string, Queue<int>> pending, List<byte[]> frames, List<int> expected, List<string> failures)
    {
        var into = new int[64];
        var n = queue.PostAndDrain([], into).Drained;
        foreach (var handle in into.AsSpan(0, n))
        {
            var bytes = Convert.ToHexString(_rig.Pool.Packet(handle));
            var d = _rig.Pool.Descriptor(handle);
            if (!pending.TryGetValue(bytes, out var waiting))
                continue;
            var i = waiting.Dequeue();
            if (waiting.Count == 0)
                pending.Remove(bytes);
            var matched = (d.Flags & BufferFlags.FilterMatched) != 0;
            var got = matched ? (int)d.RxFilterContext - 1 : -1;
            if (got != expected[i] || matched != isTarget)
                failures.Add($"frame {i} {bytes}: Classifier {Describe(expected[i])}, XDP {Describe(got)} on the {(isTarget ? "filters'" : "RSS")} queue ({Parsed(frames[i])})");
        }
        Assert.Equal(n, queue.PostAndDrain(into.AsSpan(0, n), []).Posted);
    }

    private static string Describe(int rule) => rule < 0 ? "none" : $"rule {rule} ({string.Join(", ", FilterSet[rule].Matches.Select(m => $"{m.Field}={m.Value}"))}, priority {FilterSet[rule].Priority})";

    private static string Parsed(byte[] frame)
    {
        var info = default(PacketInfo);
        PacketParser.Parse(frame, ref info);
        var text = new StringBuilder($"{frame.Length} bytes, parsed to {info.Depth}, error {info.Error}, headers {info.Headers}");
        if (info.Headers.HasFlag(PacketHeaders.Ip))
            text.Append($", protocol {info.Key.Get(MatchField.Protocol)}");
        return text.ToString();
    }
}
