using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider.AfPacket;

/// <summary>
/// Compiles the receive filters into the classic BPF socket filter of one PD queue's AF_PACKET socket. The kernel
/// evaluates <see cref="KernelFields"/> on untagged frames that are not IPv6 (the outer EtherType on any such frame;
/// IPv4 addresses, protocol and TCP/UDP ports on IPv4), with the classifier's header rules (a header cut short is
/// absent, a later fragment has no ports). Every other condition, and every condition on a VLAN-tagged or IPv6 frame,
/// is unknown to the kernel. Walking the filters in rank order, the socket accepts a frame when a filter targeting its
/// queue may match (unknown counts as a match), refuses it when a filter elsewhere surely matches first, and at the end
/// accepts it only on an acquired RSS queue. So the queue of a frame's winning filter always gets it; the queue's
/// <see cref="Classifier"/> then decides exactly and drops the copies that are not its own.
/// </summary>
internal static class SocketFilterCompiler
{
    /// <summary>The most instructions the kernel takes in a classic BPF program (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    private const uint Accept = 0x0004_0000;
    private const uint Reject = 0;
    private const uint FlagsSlot = 0, TransportSlot = 1, EndSlot = 2;
    private const uint Ethernet = 1, Ipv4 = 2, Ports = 4;
    private const uint PacketOutgoing = 4;

    /// <summary>The fields the kernel evaluates; the rest are the classifier's alone.</summary>
    public static IReadOnlyList<MatchField> KernelFields { get; } =
        [MatchField.EtherType, MatchField.SourceIp, MatchField.DestinationIp, MatchField.Protocol, MatchField.SourcePort, MatchField.DestinationPort];

    /// <summary>The fields only the classifier evaluates, after the copy.</summary>
    public static IReadOnlyList<MatchField> SoftwareFields { get; } = [.. Enum.GetValues<MatchField>().Except(KernelFields)];

    /// <summary>Whether the kernel evaluates <paramref name="condition"/> (IPv6 addresses and TCP flags are the classifier's).</summary>
    public static bool InKernel(FieldMatch condition) => condition.Field switch
    {
        MatchField.EtherType or MatchField.Protocol or MatchField.SourcePort or MatchField.DestinationPort => condition.Type != FieldMatchType.AnyBitSet,
        MatchField.SourceIp or MatchField.DestinationIp => condition.Header == PacketHeaders.Ipv4 && condition.Type != FieldMatchType.AnyBitSet,
        _ => false,
    };

    /// <summary>
    /// The program of one queue's socket: <paramref name="filters"/> in rank order with whether each targets this
    /// queue; <paramref name="rss"/> when the queue is an acquired RSS queue (it takes what no filter matches).
    /// </summary>
    public static SockFilter[] Compile(IReadOnlyList<(IReadOnlyList<FieldMatch> Matches, bool Mine)> filters, bool rss)
    {
        var last = -1;
        for (var i = 0; i < filters.Count; i++)
        {
            if (filters[i].Mine)
                last = i;
        }
        var asm = new ClassicBpfAssembler();
        var unknown = asm.Label();
        var body = asm.Label();
        Prologue(asm, unknown, body);
        asm.Mark(unknown);
        asm.Return(last >= 0 || rss ? Accept : Reject);
        asm.Mark(body);
        var end = rss ? filters.Count : last + 1;
        for (var i = 0; i < end; i++)
        {
            var (matches, mine) = filters[i];
            if (!mine && !matches.All(InKernel))
                continue;
            var next = asm.Label();
            foreach (var condition in matches)
            {
                if (InKernel(condition))
                    Condition(asm, condition, next);
            }
            asm.Return(mine ? Accept : Reject);
            asm.Mark(next);
        }
        asm.Return(rss ? Accept : Reject);
        return asm.Build();
    }

    /// <summary>
    /// Drops outgoing frames; sends VLAN-tagged and IPv6 frames to <paramref name="unknown"/>; otherwise stores the
    /// headers present (as the classifier sees them) and the transport offset, and goes on to <paramref name="body"/>.
    /// </summary>
    private static void Prologue(ClassicBpfAssembler asm, int unknown, int body)
    {
        var outgoing = asm.Label();
        var notOutgoing = asm.Label();
        var untagged = asm.Label();
        var notIp = asm.Label();
        var ipv4 = asm.Label();
        var checks = new int[11];
        for (var i = 0; i < checks.Length; i++)
            checks[i] = asm.Label();

        asm.LoadConstant(0);
        asm.Store(FlagsSlot);
        asm.Store(TransportSlot);
        asm.Store(EndSlot);
        asm.LoadWord(ClassicBpfAssembler.AncillaryPacketType);
        asm.JumpIfEqual(PacketOutgoing, outgoing, notOutgoing);
        asm.Mark(outgoing);
        asm.Return(Reject);
        asm.Mark(notOutgoing);
        asm.LoadWord(ClassicBpfAssembler.AncillaryVlanTagPresent);
        asm.JumpIfEqual(0, untagged, unknown);
        asm.Mark(untagged);
        asm.LoadLength();
        asm.JumpIfGreaterOrEqual(14, checks[0], body);
        asm.Mark(checks[0]);
        asm.LoadConstant(Ethernet);
        asm.Store(FlagsSlot);
        asm.LoadHalf(12);
        asm.JumpIfEqual(EtherType.Vlan, unknown, checks[1]);
        asm.Mark(checks[1]);
        asm.JumpIfEqual(EtherType.ServiceVlan, unknown, checks[2]);
        asm.Mark(checks[2]);
        asm.JumpIfEqual(EtherType.LegacyServiceVlan, unknown, checks[3]);
        asm.Mark(checks[3]);
        asm.JumpIfEqual(EtherType.Ipv6, unknown, checks[4]);
        asm.Mark(checks[4]);
        asm.JumpIfEqual(EtherType.Ipv4, ipv4, notIp);
        asm.Mark(notIp);
        asm.Jump(body);

        // IPv4 as the parser takes it: 20 bytes at least, version 4, a header length of 20 or more within the frame
        // and within the total length; then ports only on a first fragment whose TCP or UDP header is complete.
        asm.Mark(ipv4);
        asm.LoadLength();
        asm.JumpIfGreaterOrEqual(34, checks[5], body);
        asm.Mark(checks[5]);
        asm.LoadByte(14);
        asm.And(0xf0);
        asm.JumpIfEqual(0x40, checks[6], body);
        asm.Mark(checks[6]);
        asm.LoadXHeaderLength(14);
        asm.Txa();
        asm.JumpIfGreaterOrEqual(20, checks[7], body);
        asm.Mark(checks[7]);
        asm.Add(14);
        asm.Store(TransportSlot);
        asm.Tax();
        asm.LoadLength();
        asm.JumpIfGreaterOrEqualX(checks[8], body);
        asm.Mark(checks[8]);
        asm.LoadHalf(16);
        asm.Add(14);
        asm.JumpIfGreaterOrEqualX(checks[9], body);
        asm.Mark(checks[9]);
        asm.Store(EndSlot);
        asm.LoadConstant(Ethernet | Ipv4);
        asm.Store(FlagsSlot);
        asm.LoadHalf(20);
        asm.JumpIfAnySet(0x1fff, body, checks[10]);
        asm.Mark(checks[10]);
        var keepEnd = asm.Label();
        var clip = asm.Label();
        asm.LoadXLength();
        asm.LoadMemory(EndSlot);
        asm.JumpIfGreaterX(clip, keepEnd);
        asm.Mark(clip);
        asm.Txa();
        asm.Mark(keepEnd);
        asm.LoadXMemory(TransportSlot);
        asm.SubtractX();
        asm.Store(EndSlot);
        var udp = asm.Label();
        var tcp = asm.Label();
        var notUdp = asm.Label();
        var ports = asm.Label();
        var tcpHeader = asm.Label();
        var tcpLength = asm.Label();
        asm.LoadByte(23);
        asm.JumpIfEqual(IpProtocol.Udp, udp, notUdp);
        asm.Mark(notUdp);
        asm.JumpIfEqual(IpProtocol.Tcp, tcp, body);
        asm.Mark(udp);
        asm.LoadMemory(EndSlot);
        asm.JumpIfGreaterOrEqual(8, ports, body);
        asm.Mark(tcp);
        asm.LoadMemory(EndSlot);
        asm.JumpIfGreaterOrEqual(20, tcpHeader, body);
        asm.Mark(tcpHeader);
        asm.LoadByteIndirect(12);
        asm.ShiftRight(4);
        asm.ShiftLeft(2);
        asm.JumpIfGreaterOrEqual(20, tcpLength, body);
        asm.Mark(tcpLength);
        asm.Tax();
        asm.LoadMemory(EndSlot);
        asm.JumpIfGreaterOrEqualX(ports, body);
        asm.Mark(ports);
        asm.LoadConstant(Ethernet | Ipv4 | Ports);
        asm.Store(FlagsSlot);
        asm.Jump(body);
    }

    /// <summary>One condition the kernel evaluates: its header present, then its value; on failure, on to <paramref name="fail"/>.</summary>
    private static void Condition(ClassicBpfAssembler asm, FieldMatch condition, int fail)
    {
        var present = asm.Label();
        asm.LoadMemory(FlagsSlot);
        asm.JumpIfAnySet(condition.Field switch
        {
            MatchField.EtherType => Ethernet,
            MatchField.SourcePort or MatchField.DestinationPort => Ports,
            _ => Ipv4,
        }, present, fail);
        asm.Mark(present);
        switch (condition.Field)
        {
            case MatchField.EtherType:
                asm.LoadHalf(12);
                break;
            case MatchField.Protocol:
                asm.LoadByte(23);
                break;
            case MatchField.SourceIp:
                asm.LoadWord(26);
                break;
            case MatchField.DestinationIp:
                asm.LoadWord(30);
                break;
            case MatchField.SourcePort:
                asm.LoadXMemory(TransportSlot);
                asm.LoadHalfIndirect(0);
                break;
            default:
                asm.LoadXMemory(TransportSlot);
                asm.LoadHalfIndirect(2);
                break;
        }
        var value = (uint)condition.Value;
        var operand = (uint)condition.Operand;
        var holds = asm.Label();
        switch (condition.Type)
        {
            case FieldMatchType.Equal:
                asm.JumpIfEqual(value, holds, fail);
                break;
            case FieldMatchType.MaskEqual:
                asm.And(operand);
                asm.JumpIfEqual(value & operand, holds, fail);
                break;
            default:
                var low = asm.Label();
                asm.JumpIfGreaterOrEqual(value, low, fail);
                asm.Mark(low);
                asm.JumpIfGreater(operand, fail, holds);
                break;
        }
        asm.Mark(holds);
    }
}
