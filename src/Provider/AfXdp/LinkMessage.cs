namespace PdCluster.Provider.AfXdp;

/// <summary>One parsed rtnetlink message about a link: its kind, request sequence, and for links the index, <c>ifi_flags</c>, name and operational state.</summary>
/// <param name="OperState">IFLA_OPERSTATE (RFC 2863: 0 unknown, 2 down, 6 up, ...); null when the message has none.</param>
/// <param name="Error">For <see cref="NetlinkKind.Error"/>: the negative errno (0 for an acknowledgement).</param>
public readonly record struct LinkMessage(NetlinkKind Kind, uint Sequence, int Index = 0, uint Flags = 0, string? Name = null, byte? OperState = null, int Error = 0)
{
    /// <summary>IFF_UP: administratively up.</summary>
    public const uint IffUp = 0x1;

    /// <summary>IFF_RUNNING: operationally up (the kernel's netif_oper_up).</summary>
    public const uint IffRunning = 0x40;

    /// <summary>IF_OPER_UP.</summary>
    public const byte OperUp = 6;

    /// <summary>IF_OPER_UNKNOWN (drivers that do not report operational state).</summary>
    public const byte OperUnknown = 0;

    /// <summary>Administratively up (IFF_UP).</summary>
    public bool AdminUp => (Flags & IffUp) != 0;

    /// <summary>Operationally up: IFF_RUNNING, and IFLA_OPERSTATE up (or unknown) when present.</summary>
    public bool OperationallyUp => (Flags & IffRunning) != 0 && OperState is null or OperUp or OperUnknown;
}
