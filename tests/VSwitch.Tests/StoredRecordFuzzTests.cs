using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>A mutation fuzzer for the VM record a node reads from the store: it reads whole, or is left out (null), never half read or thrown.</summary>
public sealed class StoredRecordFuzzTests
{
    private const string Valid = """
        {"schemaVersion":1,"name":"vm1","running":true,"adapters":[{"name":"Network Adapter","switch":"sw","staticMac":"00:15:5d:00:00:01",
         "portName":"6F1C2B7E-0D4A-4E8B-9C51-3A2E1F0B9D77","portId":1,"vfpDisabled":false}]}
        """;

    private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "2", "99999999999", "\"adapters\"", "\"running\"", "\"schemaVersion\"", "\\u0000", "\uFFFF"];

    [Fact]
    public void Whatever_the_damage_a_vm_record_reads_whole_or_not_at_all()
    {
        var damage = Gen.Choose(1, 6).SelectMany(n =>
            (from position in Gen.Choose(0, int.MaxValue)
             from token in Gen.Elements(Tokens)
             from cut in Gen.Elements(false, true)
             select (position, token, cut)).ListOf(n));
        Prop.ForAll(damage.ToArbitrary(), changes =>
        {
            var text = Valid;
            foreach (var (where, token, cut) in changes)
            {
                var at = where % (text.Length + 1);
                text = cut ? text.Remove(at, Math.Min(1 + where % 5, text.Length - at)) : text.Insert(at, token);
            }
            if (VSwitchCatalog.TryRead(text, VSwitchJson.Default.VmDocument) is not { } document)
                return;
            Assert.All(document.Adapters, a => Assert.True(a.Name is not null && a.Switch is not null && a.StaticMac is not null && a.PortName is not null));
            var again = JsonSerializer.Serialize(document, VSwitchJson.Default.VmDocument);
            Assert.Equal(again, JsonSerializer.Serialize(VSwitchCatalog.TryRead(again, VSwitchJson.Default.VmDocument)!, VSwitchJson.Default.VmDocument));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(5_000));
    }
}
