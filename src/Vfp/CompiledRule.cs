namespace PdCluster.Vfp;

/// <summary>A rule as the data path uses it: its names for counters, its layer's index in pass order, its action and NAT steps.</summary>
internal sealed record CompiledRule(VfpRule Rule, int Layer, NatRewrite Forward, NatRewrite Reply)
{
    public VfpAction Action => Rule.Action;
}
