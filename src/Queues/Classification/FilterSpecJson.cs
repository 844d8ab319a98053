using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.Queues.Classification;

/// <summary>Source-generated JSON for <see cref="FilterSpec"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(List<FilterSpec>))]
public sealed partial class FilterSpecJson : JsonSerializerContext;
