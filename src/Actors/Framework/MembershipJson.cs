using System.Text.Json.Serialization;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Source-generated JSON for membership records. A record missing a field it needs, or with null where a value must be,
/// does not read (any client may write the store, and every node reads these records to decide who serves what).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(MemberRecord))]
[JsonSerializable(typeof(MemberStatus))]
[JsonSerializable(typeof(OwnerRecord))]
public sealed partial class MembershipJson : JsonSerializerContext;
