namespace PdCluster.Tests.Provider.Veth;

/// <summary>
/// What the veth tests need from the host: root (network namespaces, veth pairs, XDP and AF_XDP), iproute2,
/// ping, arping and libxdp. Unmet, the tests are skipped with the reason; under <c>CI=true</c> they run and fail with it instead.
/// </summary>
public static class HostPrerequisite
{
    /// <summary>Whether the environment says this is a CI run (<c>CI=true</c>), where a missing prerequisite is a failure.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the veth tests cannot run here, or null when they can.</summary>
    public static string? Unmet()
    {
        if (!OperatingSystem.IsLinux())
            return "the veth tests need Linux";
        if (Environment.UserName != "root" && !File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
            return "the veth tests need root (network namespaces, veth pairs, XDP); run them as root (with CI=true an unmet prerequisite fails instead of skipping)";
        if (!new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists))
            return "the veth tests need iproute2 (ip); test.sh installs it";
        if (!new[] { "ping", "arping" }.All(tool => new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool)))))
            return "the veth tests of the OS path need ping (iputils-ping) and arping; test.sh installs them";
        if (!Directory.EnumerateFiles("/usr/lib", "libxdp.so.1", SearchOption.AllDirectories).Any())
            return "the afxdp provider needs libxdp1 and libbpf1; test.sh installs them";
        return null;
    }

    /// <summary>Throws with the reason when a prerequisite is unmet (the test then fails naming it).</summary>
    public static void Require()
    {
        if (Unmet() is { } reason)
            throw new InvalidOperationException($"Prerequisite missing: {reason}.");
    }

    /// <summary>The skip reason for a test needing the host: the unmet prerequisite, except under CI where nothing is skipped.</summary>
    public static string? SkipReason() => IsCi ? null : Unmet();
}
