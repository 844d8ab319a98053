namespace PdCluster.VSwitch;

/// <summary>The VM ports the switch forwards to, as one immutable snapshot; each change is a new table with the next generation.</summary>
public sealed class PortTable
{
    /// <summary>The table of a switch with no VM ports.</summary>
    public static readonly PortTable Empty = new([], 0);

    private PortTable(SwitchPort[] ports, long generation)
    {
        Ports = ports;
        Generation = generation;
    }

    /// <summary>The ports, in the order they joined.</summary>
    public SwitchPort[] Ports { get; }

    /// <summary>How many changes made this table.</summary>
    public long Generation { get; }

    /// <summary>The port whose VM owns <paramref name="mac"/>, or null (MAC learning off: static MACs only).</summary>
    public SwitchPort? Find(ulong mac)
    {
        foreach (var port in Ports)
            if (port.Mac == mac)
                return port;
        return null;
    }

    /// <summary>This table with <paramref name="port"/> added.</summary>
    public PortTable With(SwitchPort port) => new([.. Ports, port], Generation + 1);

    /// <summary>This table without <paramref name="port"/>.</summary>
    public PortTable Without(SwitchPort port) => new([.. Ports.Where(p => p != port)], Generation + 1);
}
