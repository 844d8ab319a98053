namespace PdCluster.Vfp;

/// <summary>
/// A dnat rule's rewrite as written: <c>{"vip":"198.18.0.10:80","dip":"198.18.1.5:8080"}</c>. Packets to the virtual
/// IP (and port) have their destination rewritten to the direct IP (and port); replies from the direct IP have their
/// source rewritten back. IPv4 only; give a port on both sides or on neither.
/// </summary>
public sealed class DestinationNat
{
    /// <summary>The virtual address packets are sent to: an IPv4 address, optionally <c>:port</c>.</summary>
    public required string Vip { get; init; }

    /// <summary>The direct address of the VM behind the virtual one, in the same form.</summary>
    public required string Dip { get; init; }

    /// <summary>The parsed virtual endpoint; valid after <see cref="Parse"/>.</summary>
    internal Ipv4Endpoint VipEndpoint { get; private set; }

    /// <summary>The parsed direct endpoint; valid after <see cref="Parse"/>.</summary>
    internal Ipv4Endpoint DipEndpoint { get; private set; }

    /// <summary>Parses both endpoints; <paramref name="fail"/> makes the error from the key (<c>vip</c>) and the problem.</summary>
    internal void Parse(Func<string, string, Exception> fail)
    {
        VipEndpoint = Ipv4Endpoint.Parse(Vip, problem => fail("vip", problem));
        DipEndpoint = Ipv4Endpoint.Parse(Dip, problem => fail("dip", problem));
        if (VipEndpoint.HasPort != DipEndpoint.HasPort)
            throw fail(VipEndpoint.HasPort ? "dip" : "vip", "give a port on both vip and dip, or on neither.");
    }
}
