using PdCluster.Nic.SoftNic;

namespace PdCluster.VSwitch;

/// <summary>Runs VMs on SoftNic, each sending <paramref name="flows"/> at <paramref name="ratePps"/> (the embedded default's VMs).</summary>
public sealed class SimulatedVmHost(IReadOnlyList<GeneratorFlow> flows, long ratePps) : IVmHost
{
    /// <inheritdoc/>
    public IVm Start(VmSpec spec) => new SimulatedVm(spec, flows, ratePps);
}
