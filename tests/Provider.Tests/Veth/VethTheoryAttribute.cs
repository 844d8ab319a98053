namespace PdCluster.Tests.Provider.Veth;

/// <summary>A theory that needs the host's veth prerequisites: skipped with the reason when they are missing, except under CI=true.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VethTheoryAttribute : TheoryAttribute
{
    public VethTheoryAttribute()
    {
        if (HostPrerequisite.SkipReason() is { } reason)
            Skip = reason;
    }
}
