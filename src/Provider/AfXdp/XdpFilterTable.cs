using System.Buffers.Binary;
using PdCluster.Queues.Classification;
using PdCluster.Queues.Packets;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// The BPF maps of pd_xdp.c seen from user space: masks, the one rule hash keyed by (mask id, masked key), the XSKMAP,
/// the RSS slots and the per-CPU hit counters. Updates apply at once, with no reload and no pause in traffic.
/// </summary>
internal sealed unsafe class XdpFilterTable
{
    public const int KeySize = 68;
    public const int MaxMasks = 32;
    public const int MaxFilters = 1024;
    public const int MaxQueues = 64;
    public const int MaxRss = 16;
    private const int MaxEntriesPerFilter = 256;

    private readonly int _xsks, _masks, _rules, _config, _hits;
    private readonly int _cpus = LibXdp.PossibleCpus();
    private readonly List<byte[]?> _maskList = [];
    private readonly List<int> _maskUse = [];
    private readonly Dictionary<string, List<(ulong Rank, int Filter, int Queue)>> _keys = [];
    private readonly Dictionary<int, List<(string Key, int Mask)>> _filterEntries = [];
    private uint[] _rss = [];

    public XdpFilterTable(nint bpfObject)
    {
        _xsks = Map(bpfObject, "pd_xsks");
        _masks = Map(bpfObject, "pd_masks");
        _rules = Map(bpfObject, "pd_rules");
        _config = Map(bpfObject, "pd_config");
        _hits = Map(bpfObject, "pd_hits");
        WriteConfig();
    }

    /// <summary>The fields the program matches, and how.</summary>
    public static readonly MatchField[] Fields =
    [
        MatchField.DestinationMac, MatchField.SourceMac, MatchField.EtherType, MatchField.VlanId, MatchField.VlanPriority,
        MatchField.IpVersion, MatchField.SourceIp, MatchField.DestinationIp, MatchField.Protocol, MatchField.TtlIsOne,
        MatchField.Dscp, MatchField.SourcePort, MatchField.DestinationPort, MatchField.IcmpType, MatchField.IcmpCode,
    ];

    /// <summary>Puts an AF_XDP socket in XSKMAP slot <paramref name="slot"/>.</summary>
    public void SetSocket(int slot, int fd)
    {
        uint key = (uint)slot, value = (uint)fd;
        Check(LibXdp.MapUpdate(_xsks, &key, &value, 0), "pd_xsks");
    }

    /// <summary>Empties XSKMAP slot <paramref name="slot"/>: frames steered there go to the kernel from now on.</summary>
    public void ClearSocket(int slot)
    {
        uint key = (uint)slot;
        LibXdp.MapDelete(_xsks, &key);
    }

    /// <summary>Unmatched traffic goes to these XSKMAP slots (RSS taken over), or to the kernel when empty.</summary>
    public void SetRss(IReadOnlyList<int> slots)
    {
        _rss = [.. slots.Select(s => (uint)s)];
        WriteConfig();
    }

    /// <summary>
    /// Installs filter <paramref name="filter"/>: every prefix combination of its matches, each under its mask. A
    /// filter the table cannot hold throws <see cref="PdException"/> and leaves none of its entries behind.
    /// </summary>
    public void Add(int filter, IReadOnlyList<FieldMatch> matches, ulong rank, int queueSlot)
    {
        var entries = Expand(matches);
        var installed = new List<(string, int)>();
        _filterEntries[filter] = installed;
        try
        {
            foreach (var (value, mask) in entries)
            {
                var maskId = AcquireMask(mask);
                var key = RuleKey(value, mask, maskId);
                var id = Convert.ToHexString(key);
                if (!_keys.TryGetValue(id, out var rules))
                    _keys[id] = rules = [];
                rules.Add((rank, filter, queueSlot));
                rules.Sort((a, b) => a.Rank.CompareTo(b.Rank));
                installed.Add((id, maskId));
                WriteRule(key, rules[0]);
            }
        }
        catch
        {
            Remove(filter);
            throw;
        }
        ResetHits(filter);
    }

    /// <summary>Removes filter <paramref name="filter"/>; a rule it shadowed on the same key takes its place.</summary>
    public void Remove(int filter)
    {
        if (!_filterEntries.Remove(filter, out var entries))
            return;
        foreach (var (id, maskId) in entries)
        {
            var rules = _keys[id];
            rules.RemoveAll(r => r.Filter == filter);
            var key = Convert.FromHexString(id);
            if (rules.Count == 0)
            {
                _keys.Remove(id);
                fixed (byte* k = key)
                    LibXdp.MapDelete(_rules, k);
            }
            else
            {
                WriteRule(key, rules[0]);
            }
            ReleaseMask(maskId);
        }
    }

    /// <summary>Packets and bytes filter slot <paramref name="filter"/> matched, summed over CPUs.</summary>
    public (long Packets, long Bytes) ReadHits(int filter)
    {
        var values = stackalloc ulong[2 * _cpus];
        uint key = (uint)filter;
        if (LibXdp.MapLookup(_hits, &key, values) != 0)
            return (0, 0);
        long packets = 0, bytes = 0;
        for (var i = 0; i < _cpus; i++)
        {
            packets += (long)values[2 * i];
            bytes += (long)values[2 * i + 1];
        }
        return (packets, bytes);
    }

    private void ResetHits(int filter)
    {
        var values = stackalloc ulong[2 * _cpus];
        new Span<ulong>(values, 2 * _cpus).Clear();
        uint key = (uint)filter;
        Check(LibXdp.MapUpdate(_hits, &key, values, 0), "pd_hits");
    }

    private void WriteRule(byte[] key, (ulong Rank, int Filter, int Queue) rule)
    {
        var value = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(value, 8), rule.Rank);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(value + 8, 4), (uint)rule.Filter);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(value + 12, 4), (uint)rule.Queue);
        fixed (byte* k = key)
            Check(LibXdp.MapUpdate(_rules, k, value, 0), "pd_rules");
    }

    private int AcquireMask(byte[] mask)
    {
        for (var i = 0; i < _maskList.Count; i++)
        {
            if (_maskList[i] is { } m && m.AsSpan().SequenceEqual(mask))
            {
                _maskUse[i]++;
                return i;
            }
        }
        var id = _maskList.IndexOf(null);
        if (id < 0)
        {
            if (_maskList.Count == MaxMasks)
                throw new PdException(PdStatus.InsufficientResources, $"The XDP filter table holds at most {MaxMasks} distinct masks.");
            id = _maskList.Count;
            _maskList.Add(null);
            _maskUse.Add(0);
        }
        _maskList[id] = mask;
        _maskUse[id] = 1;
        uint key = (uint)id;
        fixed (byte* m = mask)
            Check(LibXdp.MapUpdate(_masks, &key, m, 0), "pd_masks");
        WriteConfig();
        return id;
    }

    private void ReleaseMask(int id)
    {
        if (--_maskUse[id] > 0)
            return;
        _maskList[id] = null;
        var zero = stackalloc byte[KeySize];
        new Span<byte>(zero, KeySize).Clear();
        uint key = (uint)id;
        LibXdp.MapUpdate(_masks, &key, zero, 0);
        WriteConfig();
    }

    private void WriteConfig()
    {
        var config = stackalloc uint[2 + MaxRss];
        new Span<uint>(config, 2 + MaxRss).Clear();
        var count = _maskList.Count;
        while (count > 0 && _maskList[count - 1] is null)
            count--;
        config[0] = (uint)count;
        config[1] = (uint)_rss.Length;
        for (var i = 0; i < _rss.Length; i++)
            config[2 + i] = _rss[i];
        uint key = 0;
        Check(LibXdp.MapUpdate(_config, &key, config, 0), "pd_config");
    }

    private static byte[] RuleKey(byte[] value, byte[] mask, int maskId)
    {
        var key = new byte[KeySize];
        for (var i = 0; i < KeySize; i++)
            key[i] = (byte)(value[i] & mask[i]);
        BinaryPrimitives.WriteUInt32LittleEndian(key, (uint)maskId);
        return key;
    }

    /// <summary>The (value, mask) keys a filter needs: one per combination of its ranges' prefixes.</summary>
    private static List<(byte[] Value, byte[] Mask)> Expand(IReadOnlyList<FieldMatch> matches)
    {
        var result = new List<(byte[], byte[])> { (new byte[KeySize], new byte[KeySize]) };
        foreach (var match in matches)
        {
            if (Array.IndexOf(Fields, match.Field) < 0)
                throw new PdException(PdStatus.NotSupported, $"The XDP filter table does not match {match.Field}.");
            var bits = FieldSpec.Of(match.Field).Bits;
            var full = FieldSpec.Of(match.Field).FieldMask;
            List<(UInt128 Value, UInt128 Mask)> prefixes = match.Type switch
            {
                FieldMatchType.Equal => [(match.Value, full)],
                FieldMatchType.MaskEqual => [(match.Value & match.Operand, match.Operand)],
                FieldMatchType.InRange => RangePrefixes(match.Value, match.Operand, bits),
                _ => throw new PdException(PdStatus.NotSupported, $"The XDP filter table does not do {match.Type} matches."),
            };
            var header = HeaderBit(match.Header);
            var next = new List<(byte[], byte[])>();
            foreach (var (value, mask) in result)
            {
                foreach (var (pv, pm) in prefixes)
                {
                    var v = (byte[])value.Clone();
                    var m = (byte[])mask.Clone();
                    Put(v, m, match.Field, pv, pm);
                    var headers = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(v.AsSpan(4)) | header);
                    BinaryPrimitives.WriteUInt16LittleEndian(v.AsSpan(4), headers);
                    BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(4), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(m.AsSpan(4)) | header));
                    next.Add((v, m));
                }
            }
            if (next.Count > MaxEntriesPerFilter)
                throw new PdException(PdStatus.NotSupported, $"The filter's ranges expand to more than {MaxEntriesPerFilter} XDP table entries.");
            result = next;
        }
        return result;
    }

    private static List<(UInt128, UInt128)> RangePrefixes(UInt128 low, UInt128 high, int bits)
    {
        var output = new List<(UInt128 Value, UInt128 Mask)>();
        if (!RangeExpansion.TryExpand(low, high, bits, MaxEntriesPerFilter, output))
            throw new PdException(PdStatus.NotSupported, $"The range expands to more than {MaxEntriesPerFilter} XDP table entries.");
        return output;
    }

    private static ushort HeaderBit(PacketHeaders header) => header switch
    {
        PacketHeaders.Ethernet => 0x01,
        PacketHeaders.Vlan => 0x02,
        PacketHeaders.Ip => 0x04,
        PacketHeaders.Ipv4 => 0x08,
        PacketHeaders.Ipv6 => 0x10,
        PacketHeaders.Ports => 0x20,
        PacketHeaders.Icmp => 0x40,
        _ => throw new PdException(PdStatus.NotSupported, $"The XDP filter table does not see the {header} header."),
    };

    /// <summary>Writes a field's value and mask at its place in the key, big-endian as on the wire.</summary>
    private static void Put(byte[] value, byte[] mask, MatchField field, UInt128 v, UInt128 m)
    {
        var (offset, length) = field switch
        {
            MatchField.EtherType => (6, 2),
            MatchField.DestinationMac => (8, 6),
            MatchField.SourceMac => (14, 6),
            MatchField.VlanId => (20, 2),
            MatchField.VlanPriority => (22, 1),
            MatchField.IpVersion => (23, 1),
            MatchField.Protocol => (24, 1),
            MatchField.TtlIsOne => (25, 1),
            MatchField.Dscp => (26, 1),
            MatchField.IcmpType => (27, 1),
            MatchField.IcmpCode => (28, 1),
            MatchField.SourcePort => (32, 2),
            MatchField.DestinationPort => (34, 2),
            MatchField.SourceIp => (36, 16),
            MatchField.DestinationIp => (52, 16),
            _ => throw new PdException(PdStatus.NotSupported, $"The XDP filter table does not match {field}."),
        };
        for (var i = 0; i < length; i++)
        {
            var shift = 8 * (length - 1 - i);
            value[offset + i] = (byte)(v >> shift);
            mask[offset + i] |= (byte)(m >> shift);
        }
    }

    private static int Map(nint bpfObject, string name)
    {
        var fd = LibXdp.FindMapFd(bpfObject, name);
        if (fd < 0)
            throw new PdException(PdStatus.NotSupported, $"The XDP program has no map {name}: is it pd_xdp.o from this build?");
        return fd;
    }

    private static void Check(int result, string map)
    {
        if (result != 0)
            throw new PdException(PdStatus.InsufficientResources, $"Updating BPF map {map} failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(-result)}.");
    }
}
