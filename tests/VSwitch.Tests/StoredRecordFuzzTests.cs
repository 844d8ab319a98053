using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.Cluster;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// A mutation fuzzer for the records read from the store (a VM, and a node's switch status that list-ports reads the
/// external ports from): each reads whole, or is left out (null), never half read or thrown.
/// </summary>
public sealed class StoredRecordFuzzTests
{
    private const string Valid = """
        {"schemaVersion":1,"name":"vm1","running":true,"adapters":[{"name":"Network Adapter","switch":"sw","staticMac":"00:15:5d:00:00:01",
         "portName":"6F1C2B7E-0D4A-4E8B-9C51-3A2E1F0B9D77","portId":1,"vfpDisabled":false}]}
        """;

    private const string ValidStatus = """
        {"node":"n1","appliedRevision":7,"refused":[],"externalPorts":[{"switch":"sw","failure":"switch sw: its adapter pd0 was surprise-removed; no VM was running."},
         {"switch":"sw2","adapter":"pd1"}],"teams":[{"name":"t0","members":["pd0","pd1"]}]}
        """;

    private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "2", "99999999999", "\"adapters\"", "\"running\"", "\"schemaVersion\"",
        "\"externalPorts\"", "\"adapter\"", "\"teams\"", "\"members\"", "\\u0000", "\uFFFF"];

    private static readonly Arbitrary<List<(int Position, string Token, bool Cut)>> Damage = Gen.Choose(1, 6).SelectMany(n =>
        (from position in Gen.Choose(0, int.MaxValue)
         from token in Gen.Elements(Tokens)
         from cut in Gen.Elements(false, true)
         select (position, token, cut)).ListOf(n)).ToArbitrary();

    [Fact]
    public void Whatever_the_damage_a_vm_record_reads_whole_or_not_at_all()
    {
        Prop.ForAll(Damage, changes =>
        {
            if (VSwitchCatalog.TryRead(Damaged(Valid, changes), VSwitchJson.Default.VmDocument) is not { } document)
                return;
            Assert.All(document.Adapters, a => Assert.True(a.Name is not null && a.Switch is not null && a.StaticMac is not null && a.PortName is not null));
            var again = JsonSerializer.Serialize(document, VSwitchJson.Default.VmDocument);
            Assert.Equal(again, JsonSerializer.Serialize(VSwitchCatalog.TryRead(again, VSwitchJson.Default.VmDocument)!, VSwitchJson.Default.VmDocument));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void Whatever_the_damage_each_stored_vm_is_either_in_force_or_refused_with_its_key()
    {
        var first = new KeyValue("/pd/lab/vms/vm1", Valid, 1, 1, 1, 0);
        Prop.ForAll(Damage, changes =>
        {
            var damaged = new KeyValue("/pd/lab/vms/vm2", Damaged(Valid.Replace("vm1", "vm2"), changes), 2, 2, 1, 0);
            var records = StoredRecords.Check("lab", [], [first, damaged]);
            Assert.Equal("vm1", Assert.Single(records.Vms, v => v.Item == first).Document.Name);
            // vm2 takes vm1's port name and MAC unless the damage changed both: refused with its key, never in force beside vm1 on them.
            if (records.Refused.SingleOrDefault() is { } refused)
                Assert.StartsWith("/pd/lab/vms/vm2", refused.Key);
            else
                Assert.DoesNotContain(Assert.Single(records.Vms, v => v.Item == damaged).Document.Adapters, a => a.StaticMac == "00:15:5d:00:00:01");
            Assert.Equal(2, records.Vms.Count + records.Refused.Count);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    [Fact]
    public void An_empty_stored_record_is_refused_with_its_key_as_empty_not_as_a_file()
    {
        var records = StoredRecords.Check("lab", [], [new KeyValue("/pd/lab/vms/vm1", "", 1, 1, 1, 0)]);
        var refused = Assert.Single(records.Refused);
        Assert.Equal("/pd/lab/vms/vm1", refused.Key);
        Assert.Contains("it is empty; it must hold", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("file", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Whatever_the_damage_a_nodes_switch_status_reads_whole_or_not_at_all()
    {
        Prop.ForAll(Damage, changes =>
        {
            if (VSwitchCatalog.TryRead(Damaged(ValidStatus, changes), VSwitchJson.Default.VfpRuleStatus) is not { } status)
                return;
            Assert.True(status.Node is not null && status.Refused is not null && status.ExternalPorts is not null);
            Assert.All(status.ExternalPorts, p => Assert.NotNull(p.Switch));
            Assert.All(status.Teams, t => Assert.True(t.Name is not null && t.Members is not null && t.Members.All(m => m is not null)));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }

    private static string Damaged(string text, IEnumerable<(int Position, string Token, bool Cut)> changes)
    {
        foreach (var (where, token, cut) in changes)
        {
            var at = where % (text.Length + 1);
            text = cut ? text.Remove(at, Math.Min(1 + where % 5, text.Length - at)) : text.Insert(at, token);
        }
        return text;
    }
}
