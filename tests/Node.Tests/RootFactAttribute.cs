using System.Runtime.InteropServices;

namespace PdCluster.Tests.Node;

/// <summary>
/// A test that needs root (to give files away, or to run <c>pd</c> as another user): skipped with the reason when not
/// root, except under <c>CI=true</c>, where it runs and fails, since CI runs as root and must not lose the test.
/// </summary>
public sealed partial class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "needs root (run the tests as root, as CI does, to cover it)";
    }

    /// <summary>Whether this process runs as root; a test under <c>CI=true</c> asserts it first.</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
