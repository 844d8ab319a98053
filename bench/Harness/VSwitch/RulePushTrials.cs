using System.Diagnostics;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// The trials of a rule push to traffic allowed, however the rules travel: each waits until the VM's port is quiet
/// (blocked), pushes, times until the VM has received a frame, then withdraws the rules.
/// </summary>
internal static class RulePushTrials
{
    /// <summary>
    /// <paramref name="trials"/> samples in µs; <paramref name="received"/> counts what the VM received,
    /// <paramref name="stuck"/> says what was seen when a push lets nothing through within 10 s.
    /// </summary>
    public static List<double> Run(int trials, Func<long> received, Action push, Action withdraw, Func<string> stuck)
    {
        var samples = new List<double>(trials);
        for (var trial = 0; trial < trials; trial++)
        {
            // Blocked until nothing more arrives (frames admitted before the rules went may still be on their way).
            long seen;
            do
            {
                seen = received();
                Thread.Sleep(10);
            }
            while (received() != seen);
            var clock = Stopwatch.StartNew();
            push();
            while (received() == seen)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(10))
                    throw new TimeoutException($"the port let nothing through within 10 s of its rules ({stuck()})");
                Thread.SpinWait(20);
            }
            samples.Add(clock.Elapsed.TotalMicroseconds);
            withdraw();
        }
        return samples;
    }
}
