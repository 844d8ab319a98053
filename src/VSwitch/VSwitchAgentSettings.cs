using PdCluster.Cluster;
using PdCluster.VSwitch.Store;

namespace PdCluster.VSwitch;

/// <summary>What a node's <see cref="VSwitchAgent"/> needs: the store, the cluster, and the switch to build for a stored switch whose adapter is this node's (null: not this node's).</summary>
public sealed record VSwitchAgentSettings(IClusterStore Store, string Cluster, Func<SwitchDocument, SwitchSettings?> SwitchFor);
