using System.Text.Json.Serialization;

namespace PdCluster.Node.Admin;

/// <summary>The body of <c>POST /vswitch/switches</c>: the switch <c>pd vswitch create</c> makes.</summary>
internal sealed record SwitchCreate(string Name, string Adapter, bool AllowManagementOs = false);

/// <summary>The body of <c>POST /vswitch/vms/{vm}/adapters</c>: the adapter <c>pd vm adapter add</c> adds.</summary>
internal sealed record VmAdapterAdd(string Switch, string StaticMac, string? Address = null);

/// <summary>The answer to a change of the switch's records: the store revision it was written at.</summary>
internal sealed record VSwitchWritten(long Revision);

/// <summary>Source-generated JSON for the bodies of the <c>/vswitch</c> routes: strict on read (unknown keys refused, required keys present, no nulls), an absent value left out on write.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SwitchCreate))]
[JsonSerializable(typeof(VmAdapterAdd))]
internal sealed partial class VSwitchBodyJson : JsonSerializerContext;
