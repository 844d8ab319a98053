namespace PdCluster.Vfp;

/// <summary>One NAT step a rule applies: the source or the destination endpoint becomes <see cref="To"/> (its port only when it has one).</summary>
internal readonly record struct NatRewrite(bool RewritesSource, Ipv4Endpoint To);
