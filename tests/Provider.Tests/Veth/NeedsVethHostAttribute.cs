using PdCluster.TestKit;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>Marks a provider contract class whose harness needs the host's veth prerequisites (see <see cref="HostPrerequisite"/>).</summary>
public sealed class NeedsVethHostAttribute : NeedsAttribute
{
    public override string? SkipReason() => HostPrerequisite.SkipReason();
}
