using Xunit;

namespace PdCluster.TestKit;

/// <summary>A fact that needs something of the host: skipped with the reason its prerequisite gives (null under CI=true, where it runs and fails).</summary>
[AttributeUsage(AttributeTargets.Method)]
public abstract class PrerequisiteFactAttribute : FactAttribute
{
    protected PrerequisiteFactAttribute(string? skipReason)
    {
        if (skipReason is not null)
            Skip = skipReason;
    }
}
