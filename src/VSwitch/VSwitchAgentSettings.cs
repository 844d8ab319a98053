using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.VSwitch.Store;

namespace PdCluster.VSwitch;

/// <summary>What a node's <see cref="VSwitchAgent"/> needs: the store, the cluster, and the switch to build for a stored switch whose adapter is this node's (null: not this node's).</summary>
/// <param name="Node">The node's supervisor, which lends each switch its adapter (<see cref="SwitchLoan"/>); null when the adapters are the switches' alone.</param>
public sealed record VSwitchAgentSettings(IClusterStore Store, string Cluster, Func<SwitchDocument, SwitchSettings?> SwitchFor, IActorRef? Node = null);
