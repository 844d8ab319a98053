using System.Text.Json.Serialization;
using PdCluster.Actors.Framework;
using PdCluster.Cluster;
using PdCluster.Node.ClusterAccess;

using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Node.Admin;

/// <summary>Source-generated JSON for the admin endpoint and <c>-o json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(IReadOnlyList<MemberRecord>))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(Injected))]
[JsonSerializable(typeof(IReadOnlyList<StoredFilter>))]
[JsonSerializable(typeof(StoredFilter))]
[JsonSerializable(typeof(FilterWritten))]
[JsonSerializable(typeof(BulkPutResult))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(VSwitchWritten))]
[JsonSerializable(typeof(IReadOnlyList<PortListing>))]
[JsonSerializable(typeof(IReadOnlyList<RuleListing>))]
[JsonSerializable(typeof(IReadOnlyList<SwitchListing>))]
[JsonSerializable(typeof(IReadOnlyList<VmListing>))]
[JsonSerializable(typeof(IReadOnlyList<SwitchStatus>))]
internal sealed partial class AdminJson : JsonSerializerContext;
