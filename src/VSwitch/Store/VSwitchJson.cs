using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.VSwitch.Store;

/// <summary>Source-generated JSON for the switch's store documents: strict on read (unknown keys refused), compact on write.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(SwitchDocument))]
[JsonSerializable(typeof(VmDocument))]
[JsonSerializable(typeof(PortListing))]
[JsonSerializable(typeof(VfpRuleStatus))]
[JsonSerializable(typeof(RuleListing))]
[JsonSerializable(typeof(IReadOnlyList<RuleListing>))]
[JsonSerializable(typeof(IReadOnlyList<PortListing>))]
[JsonSerializable(typeof(IReadOnlyList<SwitchListing>))]
[JsonSerializable(typeof(IReadOnlyList<VmListing>))]
public sealed partial class VSwitchJson : JsonSerializerContext;
