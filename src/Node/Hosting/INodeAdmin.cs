using PdCluster.Actors.Framework;
using PdCluster.Nic.Adapters;
using PdCluster.Node.ClusterAccess;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Node.Hosting;

/// <summary>What the admin endpoint may ask of a running node: its status, the cluster's members, filters and statuses, event injection and captures.</summary>
internal interface INodeAdmin
{
    /// <summary>Every adapter's status.</summary>
    Task<NodeStatus> StatusAsync();

    /// <summary>The nodes registered in the cluster store.</summary>
    Task<IReadOnlyList<MemberRecord>> MembersAsync();

    /// <summary>The cluster store the node holds, for the <c>/cluster</c> routes.</summary>
    IClusterCatalog Cluster { get; }

    /// <summary>The VM switch's records in the node's store, for the <c>/vswitch</c> routes.</summary>
    IVSwitchCatalog VSwitches { get; }

    /// <summary>The node's name and the names of its adapters and teams: what a switch made through this node may take as its external port.</summary>
    (string Node, IReadOnlyList<string> Adapters) SwitchAdapters { get; }

    /// <summary>The live state of the switches this node runs.</summary>
    Task<IReadOnlyList<SwitchStatus>> SwitchStatusAsync();

    /// <summary>Injects <paramref name="deviceEvent"/> into the adapter named <paramref name="adapter"/>.</summary>
    InjectOutcome Inject(string adapter, DeviceEvent deviceEvent);

    /// <summary>
    /// Arms a capture of at most <paramref name="count"/> frames of at most <paramref name="snapLength"/> bytes (less when
    /// the adapter's buffers are smaller) on receive queue <paramref name="queue"/> of <paramref name="adapter"/>.
    /// </summary>
    CaptureStart StartCapture(string adapter, int queue, int snapLength, long count);
}
