using System.Globalization;

namespace PdCluster.TestKit;

/// <summary>
/// Dilates every TestKit timeout by <c>PD_TEST_TIME_FACTOR</c> (default 1; CI sets more), so slow or shared machines
/// wait longer instead of failing.
/// </summary>
public static class TestTime
{
    /// <summary>The factor read from the environment.</summary>
    public static double Factor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("PD_TEST_TIME_FACTOR"), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;

    /// <summary><paramref name="duration"/> times <see cref="Factor"/>.</summary>
    public static TimeSpan Dilated(TimeSpan duration) => duration * Factor;

    /// <summary>The default wait for an expected message: 3 s, dilated.</summary>
    public static TimeSpan DefaultTimeout => Dilated(TimeSpan.FromSeconds(3));
}
