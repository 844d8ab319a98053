namespace PdCluster.Vfp;

/// <summary>One layer compiled: its groups per direction in the order they are tried (a replies group first).</summary>
internal sealed record CompiledLayer(string Name, CompiledGroup[] Inbound, CompiledGroup[] Outbound)
{
    public CompiledGroup[] Groups(VfpDirection direction) => direction == VfpDirection.Inbound ? Inbound : Outbound;
}
