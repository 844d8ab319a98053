namespace PdCluster.Vfp;

/// <summary>A VFP rule, layer, group or policy is malformed; the message names the source, the key and the problem.</summary>
public sealed class VfpRuleException(string message, string? problem = null) : ArgumentException(message)
{
    /// <summary>The problem alone, without its source and key.</summary>
    public string Problem { get; } = problem ?? message;
}
