namespace PdCluster.TestKit;

/// <summary>Marks a contract class whose <see cref="ContractFactAttribute"/> tests need something of the host (root and veth, a real etcd).</summary>
[AttributeUsage(AttributeTargets.Class)]
public abstract class NeedsAttribute : Attribute
{
    /// <summary>Why the tests cannot run here, or null when they can (or under CI=true, where they run and fail).</summary>
    public abstract string? SkipReason();
}
