namespace PdCluster.Tests.Cluster.Etcd;

/// <summary>
/// What the etcd tests need: the <c>etcd</c> server binary (Debian's etcd-server, which test.sh installs) and
/// <c>openssl</c> for the TLS test. Unmet, the tests are skipped with the reason; under <c>CI=true</c> they run and fail.
/// </summary>
public static class EtcdPrerequisite
{
    /// <summary>Whether the environment says this is a CI run (<c>CI=true</c>), where a missing prerequisite is a failure.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the etcd tests cannot run here, or null when they can.</summary>
    public static string? Unmet()
    {
        if (Find("etcd") is null)
            return "the etcd tests need the etcd server on PATH (apt-get install etcd-server; test.sh installs it)";
        if (Find("openssl") is null)
            return "the etcd TLS test needs openssl (apt-get install openssl)";
        return null;
    }

    /// <summary>The skip reason: the unmet prerequisite, except under CI where nothing is skipped.</summary>
    public static string? SkipReason() => IsCi ? null : Unmet();

    /// <summary>Throws with the reason when a prerequisite is unmet (the test then fails naming it).</summary>
    public static void Require()
    {
        if (Unmet() is { } reason)
            throw new InvalidOperationException($"Prerequisite missing: {reason}.");
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
