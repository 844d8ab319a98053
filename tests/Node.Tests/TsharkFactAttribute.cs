using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Node;

/// <summary>
/// A test that reads files back with tshark (Debian <c>tshark</c>, which test.sh installs): skipped with the reason
/// when it is missing, except under <c>CI=true</c>, where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TsharkFactAttribute : FactAttribute
{
    public TsharkFactAttribute()
    {
        if (!HostPrerequisite.IsCi && !IsInstalled)
            Skip = "needs tshark (Debian package tshark; test.sh installs it when run as root)";
    }

    /// <summary>Whether tshark is on the PATH.</summary>
    public static bool IsInstalled =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "tshark")));
}
