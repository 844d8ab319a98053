using PdCluster.Cluster;

namespace PdCluster.VSwitch.Store;

/// <summary>
/// A cluster's switch and VM records as read from its store and checked with <see cref="VSwitchRecords"/>: the ones that
/// hold, and each one refused, by key, with its problem (a document that does not read, a check it fails, or a key under
/// the switches that is neither a switch nor a rule). Where two VMs claim one port name or MAC, the VM created first keeps
/// it and the other is refused.
/// </summary>
public sealed class StoredRecords
{
    private StoredRecords(IReadOnlyList<StoredRecord<SwitchDocument>> switches, IReadOnlyList<StoredRecord<VmDocument>> vms, IReadOnlyList<RefusedRecord> refused) =>
        (Switches, Vms, Refused) = (switches, vms, refused);

    /// <summary>The switch records that hold, in key order.</summary>
    public IReadOnlyList<StoredRecord<SwitchDocument>> Switches { get; }

    /// <summary>The VM records that hold, in key order.</summary>
    public IReadOnlyList<StoredRecord<VmDocument>> Vms { get; }

    /// <summary>The records refused, in key order.</summary>
    public IReadOnlyList<RefusedRecord> Refused { get; }

    /// <summary>The records of <paramref name="cluster"/> in <paramref name="switchItems"/> (its switch prefix) and <paramref name="vmItems"/> (its VM prefix), checked.</summary>
    public static StoredRecords Check(string cluster, IEnumerable<KeyValue> switchItems, IEnumerable<KeyValue> vmItems)
    {
        var refused = new List<RefusedRecord>();
        var switches = new List<StoredRecord<SwitchDocument>>();
        var prefix = VfpRuleKey.SwitchPrefix(cluster);
        foreach (var item in switchItems)
        {
            if (VfpRuleKey.TryParseFiled(cluster, item.Key) is { } rule)
            {
                if (VfpRuleKey.TryParse(cluster, item.Key) is null)
                    refused.Add(new RefusedRecord(item.Key, VfpRuleKey.BadId(item.Key, rule)));
            }
            else if (!VfpRuleKey.IsSwitchRecord(cluster, item.Key))
                refused.Add(new RefusedRecord(item.Key, VfpRuleKey.Misplaced(item.Key)));
            else if (SwitchProblem(item, item.Key[prefix.Length..], out var document) is { } problem)
                refused.Add(new RefusedRecord(item.Key, problem));
            else
                switches.Add(new StoredRecord<SwitchDocument>(item, document!));
        }
        var vms = new List<StoredRecord<VmDocument>>();
        var vmPrefix = VmPrefix(cluster);
        foreach (var item in vmItems.OrderBy(i => i.CreateRevision))
        {
            if (VmProblem(item, item.Key[vmPrefix.Length..], vms.Select(v => v.Document), out var document) is { } problem)
                refused.Add(new RefusedRecord(item.Key, problem));
            else
                vms.Add(new StoredRecord<VmDocument>(item, document!));
        }
        return new StoredRecords(switches, [.. vms.OrderBy(v => v.Item.Key, StringComparer.Ordinal)], [.. refused.OrderBy(r => r.Key, StringComparer.Ordinal)]);
    }

    /// <summary>The prefix of <paramref name="cluster"/>'s VM records.</summary>
    public static string VmPrefix(string cluster) => $"/pd/{cluster}/vms/";

    /// <summary>What keeps the switch record <paramref name="item"/> named <paramref name="name"/> from holding, or null with its <paramref name="document"/>.</summary>
    public static string? SwitchProblem(KeyValue item, string name, out SwitchDocument? document)
    {
        document = null;
        try
        {
            var read = VSwitchCatalog.Read(item.Value, VSwitchJson.Default.SwitchDocument, item.Key);
            if (VSwitchRecords.SwitchProblem(name, read) is { } problem)
                return $"{item.Key}: {problem}";
            document = read;
            return null;
        }
        catch (VSwitchRefusedException e)
        {
            return e.Message;
        }
    }

    /// <summary>What keeps the VM record <paramref name="item"/> named <paramref name="name"/> from holding beside <paramref name="others"/>, or null with its <paramref name="document"/>.</summary>
    public static string? VmProblem(KeyValue item, string name, IEnumerable<VmDocument> others, out VmDocument? document)
    {
        document = null;
        try
        {
            var read = VSwitchCatalog.Read(item.Value, VSwitchJson.Default.VmDocument, item.Key);
            if (VSwitchRecords.VmProblem(name, read, others) is { } problem)
                return $"{item.Key}: {problem}";
            document = read;
            return null;
        }
        catch (VSwitchRefusedException e)
        {
            return e.Message;
        }
    }
}

/// <summary>A record that holds: its stored key and value, and the document it reads as.</summary>
public sealed record StoredRecord<T>(KeyValue Item, T Document);
