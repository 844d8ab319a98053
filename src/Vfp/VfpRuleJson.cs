using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.Vfp;

/// <summary>Source-generated JSON for <see cref="VfpRule"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VfpRule))]
public sealed partial class VfpRuleJson : JsonSerializerContext;
