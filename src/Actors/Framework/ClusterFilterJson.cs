using System.Text.Json;
using System.Text.Json.Serialization;

namespace PdCluster.Actors.Framework;

/// <summary>Source-generated JSON for <see cref="ClusterFilter"/>: strict on read (unknown keys refused), compact on write.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterFilter))]
public sealed partial class ClusterFilterJson : JsonSerializerContext;
