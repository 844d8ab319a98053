namespace PdCluster.Vfp;

/// <summary>A port's decision on one packet.</summary>
public enum VfpVerdict : byte
{
    /// <summary>The packet goes on (rewritten in place when a NAT rule applied).</summary>
    Allow,
    /// <summary>The packet is dropped.</summary>
    Block,
}
