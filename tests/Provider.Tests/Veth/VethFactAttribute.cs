using PdCluster.TestKit;

namespace PdCluster.Tests.Provider.Veth;

/// <summary>A fact that needs the host's veth prerequisites: skipped with the reason when they are missing, except under CI=true.</summary>
public sealed class VethFactAttribute() : PrerequisiteFactAttribute(HostPrerequisite.SkipReason());
