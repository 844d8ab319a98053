using FsCheck;
using FsCheck.Fluent;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;
using PdCluster.Vfp;
using static PdCluster.Tests.Vfp.Policies;

namespace PdCluster.Tests.Vfp;

/// <summary>The unified flow table: what it caches, what invalidates it, eviction, and the allocation-free steady state.</summary>
public sealed class FlowTableTests
{
    [Fact]
    public void A_flow_s_first_packet_walks_the_layers_and_the_rest_hit_the_table_counting_as_they_go()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        for (var i = 0; i < 10; i++)
            Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 53)));
        // The same 5-tuple the other way is another flow.
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Outbound, Udp("198.18.0.1", "198.18.1.1", 4000, 53)));

        var snapshot = port.Snapshot();
        Assert.Equal((2L, 9L), (snapshot.FlowTable.Misses, snapshot.FlowTable.Hits));
        Assert.Equal(10, snapshot.Rules.Single().Counters.AllowedPackets);
        Assert.Equal(10, snapshot.Layers.Single().Counters.AllowedPackets);
        Assert.Equal(1, snapshot.Layers.Single().Counters.BlockedPackets);
    }

    [Fact]
    public void A_rule_change_or_a_port_state_change_invalidates_every_cached_flow()
    {
        var frame = Tcp("198.18.0.1", "198.18.1.1", 4000, 22);
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("ssh", ("destinationPort", "22"))));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, frame));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, frame));

        port.Apply(Acl(Rule("ssh", "acl", "in", VfpDirection.Inbound, 1, VfpAction.Block, ("destinationPort", "22"))));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, frame));

        port.Apply(Acl(AllowIn("ssh", ("destinationPort", "22"))));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, frame));
        port.Disable();
        port.Enable();
        port.Apply(VfpPolicy.Empty);
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, frame));

        // A port without rules has nothing to cache: the last packet never reached the table.
        Assert.Equal((3L, 1L), (port.Snapshot().FlowTable.Misses, port.Snapshot().FlowTable.Hits));
    }

    [Fact]
    public void Tcp_flags_tell_flows_apart_only_when_a_rule_matches_them()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(
            Rule("no-syn", "acl", "in", VfpDirection.Inbound, 1, VfpAction.Block, ("tcpFlags", "syn")),
            AllowIn("web", ("destinationPort", "80"))));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 80, flags: 0x02)));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 80, flags: 0x10)));
        Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 80, flags: 0x02)));

        port.Apply(Acl(AllowIn("web", ("destinationPort", "80"))));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 80, flags: 0x02)));
        Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Tcp("198.18.0.1", "198.18.1.1", 4000, 80, flags: 0x10)));
        Assert.Equal((3L, 2L), (port.Snapshot().FlowTable.Misses, port.Snapshot().FlowTable.Hits));
    }

    [Fact]
    public void Hits_count_what_the_walk_counts_whether_a_flow_s_counter_slots_fit_its_entry_or_spill()
    {
        // Three layers, each a count rule then an allow rule: nine slots a packet, more than an entry holds. A packet
        // blocked in the first layer meets three.
        string[] layers = ["l1", "l2", "l3"];
        var policy = new VfpPolicy(
            [.. layers.Select((l, i) => new VfpLayer(l, i + 1))],
            [.. layers.SelectMany(l => new[] { new VfpGroup(l, "tap", VfpDirection.Inbound, 1), new VfpGroup(l, "in", VfpDirection.Inbound, 2) })],
            [
                .. layers.SelectMany(l => new[]
                {
                    Rule($"{l}-tap", l, "tap", VfpDirection.Inbound, 1, VfpAction.Count),
                    Rule($"{l}-udp", l, "in", VfpDirection.Inbound, 2, VfpAction.Allow, ("protocol", "udp")),
                }),
                Rule("l1-no-54", "l1", "in", VfpDirection.Inbound, 1, VfpAction.Block, ("destinationPort", "54")),
            ]);
        var cached = new VfpPort("cached");
        var uncached = new VfpPort("uncached", flowTableCapacity: 0);
        cached.Apply(policy);
        uncached.Apply(policy);
        for (var i = 0; i < 5; i++)
        {
            foreach (var port in new[] { cached, uncached })
            {
                Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 53)));
                Assert.Equal(VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", 4000, 54, size: 100)));
            }
        }

        var (a, b) = (cached.Snapshot(), uncached.Snapshot());
        Assert.Equal((2L, 8L), (a.FlowTable.Misses, a.FlowTable.Hits));
        Assert.Equal(b.Rules.Select(r => (r.Rule, r.Counters)), a.Rules.Select(r => (r.Rule, r.Counters)));
        Assert.Equal(b.Layers.Select(l => (l.Layer, l.Counters)), a.Layers.Select(l => (l.Layer, l.Counters)));
        var rules = a.Rules.ToDictionary(r => r.Rule, r => r.Counters);
        Assert.Equal(new VfpCounters(5, 300, 5, 500), rules["l1-tap"]);
        Assert.Equal(new VfpCounters(0, 0, 5, 500), rules["l1-no-54"]);
        Assert.Equal(new VfpCounters(5, 300, 0, 0), rules["l3-udp"]);
        Assert.Equal(new VfpCounters(5, 300, 5, 500), a.Layers.Single(l => l.Layer == "l1").Counters);
        Assert.Equal(new VfpCounters(5, 300, 0, 0), a.Layers.Single(l => l.Layer == "l3").Counters);
    }

    [Fact]
    public void After_a_rule_change_a_flow_counts_against_its_rules_new_places()
    {
        var frame = Udp("198.18.0.1", "198.18.1.1", 4000, 53);
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        for (var i = 0; i < 3; i++)
            port.Send(VfpDirection.Inbound, frame);
        // Two rules ahead of "dns" move it to another counter row; the flow cached before must not count in the old one.
        port.Apply(Acl(AllowIn("web", ("destinationPort", "80")), AllowIn("ftp", ("destinationPort", "21")), AllowIn("dns", ("destinationPort", "53"))));
        for (var i = 0; i < 4; i++)
            Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, frame));

        var snapshot = port.Snapshot();
        Assert.Equal((2L, 5L), (snapshot.FlowTable.Misses, snapshot.FlowTable.Hits));
        var rules = snapshot.Rules.ToDictionary(r => r.Rule, r => r.Counters.AllowedPackets);
        Assert.Equal((7L, 0L, 0L), (rules["dns"], rules["web"], rules["ftp"]));
        Assert.Equal(7, snapshot.Layers.Single().Counters.AllowedPackets);
    }

    [Fact]
    public void Packets_differing_only_in_fields_no_rule_matches_are_still_distinct_flows()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        byte[][] frames =
        [
            Udp("198.18.0.1", "198.18.1.1", 4000, 53),
            new FrameBuilder().Ethernet(2, 3).Ipv4("198.18.0.1", "198.18.1.1").Udp(4000, 53).Build(60),
            new FrameBuilder().Ethernet(2, 1).Vlan(7).Ipv4("198.18.0.1", "198.18.1.1").Udp(4000, 53).Build(60),
            new FrameBuilder().Ethernet(2, 1).Ipv4("198.18.0.1", "198.18.1.1", dscp: 10).Udp(4000, 53).Build(60),
        ];
        for (var round = 0; round < 2; round++)
        {
            foreach (var frame in frames)
                Assert.Equal(VfpVerdict.Allow, port.Send(VfpDirection.Inbound, frame));
        }
        Assert.Equal((4L, 4L), (port.Snapshot().FlowTable.Misses, port.Snapshot().FlowTable.Hits));
    }

    [Fact]
    public void The_table_finds_a_key_only_when_every_word_under_the_flow_mask_is_the_same()
    {
        var table = new UnifiedFlowTable(64);
        table.EnsurePath(1);
        var mask = default(FlowKey);
        ((Span<ulong>)mask).Fill(ulong.MaxValue);
        mask.Set(MatchField.TcpFlags, 0UL);
        var flags = FieldSpec.Of(MatchField.TcpFlags);
        var generation = 0;
        var flips = from word in Gen.Choose(0, FlowKey.Words - 1)
                    from bit in Gen.Choose(0, 63)
                    select (word, bit);
        Prop.ForAll(flips.ToArbitrary(), flip =>
        {
            generation++;
            var key = Parse(Tcp("198.18.0.1", "198.18.1.1", 4000, 80)).Key;
            Assert.Equal(-1, table.Find(in key, in mask, VfpDirection.Inbound, generation, out var hash));
            table.Add(in key, in mask, hash, generation, VfpVerdict.Allow, default, [0]);
            Assert.True(table.Find(in key, in mask, VfpDirection.Inbound, generation, out _) >= 0);
            Assert.Equal(-1, table.Find(in key, in mask, VfpDirection.Outbound, generation, out _));

            var other = key;
            ((Span<ulong>)other)[flip.word] ^= 1UL << flip.bit;
            var masked = flip.word == flags.Word && flip.bit >= flags.Shift && flip.bit < flags.Shift + flags.Bits;
            Assert.Equal(masked, table.Find(in other, in mask, VfpDirection.Inbound, generation, out _) >= 0);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void A_full_table_evicts_and_evicted_flows_are_decided_again_the_same_way()
    {
        var port = new VfpPort("vm1", flowTableCapacity: 8);
        port.Apply(Acl(AllowIn("even", ("sourcePort", "0/1")), Rule("odd", "acl", "in", VfpDirection.Inbound, 20, VfpAction.Block)));
        for (var round = 0; round < 3; round++)
        {
            for (ushort flow = 0; flow < 64; flow++)
                Assert.Equal(flow % 2 == 0 ? VfpVerdict.Allow : VfpVerdict.Block, port.Send(VfpDirection.Inbound, Udp("198.18.0.1", "198.18.1.1", flow, 53)));
        }
        var snapshot = port.Snapshot();
        Assert.Equal(8, snapshot.FlowTable.Capacity);
        Assert.True(snapshot.FlowTable.Evictions >= 64 * 3 - 8 - snapshot.FlowTable.Hits, $"evictions {snapshot.FlowTable.Evictions}");
        Assert.Equal(96, snapshot.Rules.Single(r => r.Rule == "even").Counters.AllowedPackets);
        Assert.Equal(96, snapshot.Rules.Single(r => r.Rule == "odd").Counters.BlockedPackets);
    }

    [Theory]
    [InlineData(65_536)]
    [InlineData(0)]
    public void A_burst_in_steady_state_allocates_nothing(int flowTableCapacity)
    {
        var rules = Enumerable.Range(0, 10_000).Select(i => AllowIn($"r{i}", ("sourceIp", $"198.18.{i / 250}.{i % 250 + 1}"), ("destinationPort", "53"))).ToArray();
        var policy = new VfpPolicy(
            [new VfpLayer("nat", 1), new VfpLayer("acl", 2)],
            [new VfpGroup("nat", "lb", VfpDirection.Inbound, 1), new VfpGroup("nat", "pass", VfpDirection.Inbound, 2), new VfpGroup("acl", "in", VfpDirection.Inbound, 1)],
            [
                new VfpRule
                {
                    SchemaVersion = 1, Id = "vip", Layer = "nat", Group = "lb", Direction = VfpDirection.Inbound, Action = VfpAction.DestinationNat,
                    Match = new() { ["protocol"] = "udp" }, Dnat = new DestinationNat { Vip = "198.19.0.10:5353", Dip = "198.19.1.1:53" },
                },
                Rule("pass", "nat", "pass", VfpDirection.Inbound, 1, VfpAction.Allow),
                .. rules,
            ]);
        var port = new VfpPort("vm1", flowTableCapacity);
        port.Apply(policy);
        using var pool = new BufferPool(64);
        var handles = new int[32];
        Assert.Equal(32, pool.TryAllocate(handles));
        var info = new PacketInfo[32];
        var verdicts = new VfpVerdict[32];
        var templates = new byte[32][];
        for (var i = 0; i < 32; i++)
        {
            var source = $"198.18.{i * 300 / 250}.{i * 300 % 250 + 1}";
            templates[i] = i % 4 == 0 ? Udp(source, "198.19.0.10", 7, 5353) : Udp(source, "198.19.1.1", 7, (ushort)(i % 3 == 0 ? 54 : 53));
        }

        void Burst()
        {
            for (var i = 0; i < 32; i++)
            {
                pool.SetPacket(handles[i], templates[i]);
                PacketParser.Parse(pool.Packet(handles[i]), ref info[i]);
            }
            port.ProcessBurst(VfpDirection.Inbound, pool, handles, info, verdicts);
        }

        for (var i = 0; i < 1_000; i++)
            Burst();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++)
            Burst();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        for (var i = 0; i < 32; i++)
            Assert.Equal(i % 4 != 0 && i % 3 == 0 ? VfpVerdict.Block : VfpVerdict.Allow, verdicts[i]);
        // The VIP's packets left rewritten to the direct endpoint.
        Assert.Equal(Udp($"198.18.0.1", "198.19.1.1", 7, 53), pool.Packet(handles[0]).ToArray());
        var snapshot = port.Snapshot();
        Assert.Equal(6_000 * 32, snapshot.Counters.AllowedPackets + snapshot.Counters.BlockedPackets);
        if (flowTableCapacity > 0)
            Assert.Equal(32, snapshot.FlowTable.Misses);
        pool.Return(handles);
    }

    [Fact]
    public void Counters_read_from_another_thread_while_the_queue_thread_counts_only_grow_and_end_exact()
    {
        var port = new VfpPort("vm1");
        port.Apply(Acl(AllowIn("dns", ("destinationPort", "53"))));
        var frames = new[] { Udp("198.18.0.1", "198.18.1.1", 4000, 53), Udp("198.18.0.1", "198.18.1.1", 4000, 54) };
        // The port takes its policy up at its first packet: one pair before the writer starts.
        port.Send(VfpDirection.Inbound, frames[0]);
        port.Send(VfpDirection.Inbound, frames[1]);
        var stop = false;
        var pairs = 1L;
        var writer = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                port.Send(VfpDirection.Inbound, frames[0]);
                port.Send(VfpDirection.Inbound, frames[1]);
                pairs++;
            }
        });
        writer.Start();
        var last = default(VfpCounters);
        for (var reads = 0; reads < 2_000 || last.AllowedPackets < 10_000; reads++)
        {
            var now = port.Snapshot().Rules.Single().Counters;
            Assert.True(now.AllowedPackets >= last.AllowedPackets && now.AllowedBytes >= last.AllowedBytes);
            last = now;
        }
        Volatile.Write(ref stop, true);
        writer.Join();
        var final = port.Snapshot();
        Assert.Equal(pairs, final.Rules.Single().Counters.AllowedPackets);
        Assert.Equal(pairs * 60, final.Rules.Single().Counters.AllowedBytes);
        Assert.Equal((pairs, pairs), (final.Counters.AllowedPackets, final.Counters.BlockedPackets));
    }
}
