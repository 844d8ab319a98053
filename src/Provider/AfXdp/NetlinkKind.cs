namespace PdCluster.Provider.AfXdp;

/// <summary>The rtnetlink messages the link listener acts on.</summary>
public enum NetlinkKind
{
    /// <summary>RTM_NEWLINK: an interface appeared or changed (also each entry of a link dump).</summary>
    NewLink,
    /// <summary>RTM_DELLINK: an interface is gone.</summary>
    DelLink,
    /// <summary>NLMSG_DONE: the end of a dump.</summary>
    Done,
    /// <summary>NLMSG_ERROR: the kernel refused a request (or acknowledged it, error 0).</summary>
    Error,
}
