using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.VSwitch.Store;

namespace PdCluster.VSwitch;

/// <summary>What a node's <see cref="VSwitchAgent"/> needs: the store, the cluster, and the switch to build for a stored switch whose adapter is this node's (null: not this node's).</summary>
public sealed record VSwitchAgentSettings(IClusterStore Store, string Cluster, Func<SwitchDocument, SwitchSettings?> SwitchFor)
{
    /// <summary>The node's name, which its VFP rule status is written under (<c>/pd/&lt;cluster&gt;/vswitch-status/&lt;node&gt;</c>).</summary>
    public string Node { get; init; } = Environment.MachineName;

    /// <summary>The VFP state of the node's VM ports, which every switch the agent runs shares (register it with <see cref="Vfp.VfpInstruments"/> for <c>/metrics</c>).</summary>
    public VfpPorts VfpPorts { get; init; } = new();

    /// <summary>The node's supervisor, which lends each switch its adapter (<see cref="SwitchLoan"/>); null when the adapters are the switches' alone.</summary>
    public IActorRef? NodeSupervisor { get; init; }

    /// <summary>The node's teams, written with its status so that <c>pd vswitch create</c> can tell a team from an adapter.</summary>
    public IReadOnlyList<NodeTeam> Teams { get; init; } = [];
}
