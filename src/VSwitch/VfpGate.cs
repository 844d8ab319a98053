using PdCluster.Queues.Packets;

namespace PdCluster.VSwitch;

/// <summary>
/// A port's admission as Hyper-V with the VFP extension decides it: everything passes while the switch's extension
/// is off or the port is disabled (<c>vfpctrl /disable-port</c>); otherwise the port's rules decide, and a port with
/// no rules blocks every frame both ways. The flags are set from the control plane and read on the port's thread.
/// </summary>
public sealed class VfpGate : IPortPolicy
{
    private volatile bool _extensionEnabled;
    private volatile bool _portDisabled;
    private volatile IPortPolicy? _rules;

    /// <summary>Whether the switch has the VFP extension enabled.</summary>
    public bool ExtensionEnabled { get => _extensionEnabled; set => _extensionEnabled = value; }

    /// <summary>Whether VFP is disabled on this port, letting its traffic through unfiltered.</summary>
    public bool PortDisabled { get => _portDisabled; set => _portDisabled = value; }

    /// <summary>How many rules the port has.</summary>
    public int RuleCount { get; private set; }

    /// <summary>Gives the port <paramref name="count"/> rules as <paramref name="rules"/> (null and 0: none); the VFP rule engine plugs in here.</summary>
    public void SetRules(IPortPolicy? rules, int count)
    {
        RuleCount = rules is null ? 0 : count;
        _rules = rules;
    }

    /// <summary>Whether the port blocks all its traffic now: VFP on, the port enabled, and no rules.</summary>
    public bool Blocked => _extensionEnabled && !_portDisabled && _rules is null;

    /// <inheritdoc/>
    public bool Admit(PortDirection direction, Span<byte> frame, in PacketInfo info)
    {
        if (!_extensionEnabled || _portDisabled)
            return true;
        return _rules is { } rules && rules.Admit(direction, frame, in info);
    }
}
