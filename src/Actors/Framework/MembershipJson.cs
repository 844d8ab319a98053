using System.Text.Json.Serialization;

namespace PdCluster.Actors.Framework;

/// <summary>Source-generated JSON for membership records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(MemberRecord))]
[JsonSerializable(typeof(MemberStatus))]
[JsonSerializable(typeof(OwnerRecord))]
public sealed partial class MembershipJson : JsonSerializerContext;
