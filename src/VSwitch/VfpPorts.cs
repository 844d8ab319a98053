using System.Collections.Concurrent;
using PdCluster.Vfp;

namespace PdCluster.VSwitch;

/// <summary>
/// The VFP state of a node's VM ports by port name: rules, disabled flag, flow table and counters. It outlives the
/// ports: a VM that restarts, or a switch that comes back on a team survivor, finds its ports' VFP as it was. Safe
/// from any thread; <see cref="Snapshots"/> feeds <see cref="VfpInstruments"/>.
/// </summary>
public sealed class VfpPorts
{
    private readonly ConcurrentDictionary<string, VfpPort> _ports = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The VFP of port <paramref name="portName"/>, made (enabled, no rules) on first use.</summary>
    public VfpPort For(string portName) => _ports.GetOrAdd(portName, name => new VfpPort(name));

    /// <summary>The VFP of port <paramref name="portName"/> if it has one yet.</summary>
    public VfpPort? Find(string portName) => _ports.GetValueOrDefault(portName);

    /// <summary>Every port's state and counters now, by port name.</summary>
    public IEnumerable<VfpPortSnapshot> Snapshots() => _ports.Values.Select(p => p.Snapshot()).OrderBy(s => s.Port, StringComparer.Ordinal);
}
