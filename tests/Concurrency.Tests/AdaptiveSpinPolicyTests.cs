using System.Diagnostics;
using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

/// <summary>The spin policy's arithmetic on a fake clock: timestamps are made up, the policy reads none.</summary>
public sealed class AdaptiveSpinPolicyTests
{
    private static readonly TimeSpan MaxSpin = TimeSpan.FromMicroseconds(50);
    private static readonly TimeSpan FirstHoldoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestHoldoff = TimeSpan.FromMilliseconds(8);

    private long _now = Us(1_000_000);

    private static long Us(double microseconds) => (long)(microseconds * Stopwatch.Frequency / 1e6);

    /// <summary>A policy that saw its first work now.</summary>
    private AdaptiveSpinPolicy Started(AdaptiveSpinPolicy? policy = null)
    {
        policy ??= new AdaptiveSpinPolicy(MaxSpin, FirstHoldoff, LongestHoldoff);
        policy.Worked(_now, false);
        return policy;
    }

    /// <summary>One idle spell: polls every microsecond until work comes <paramref name="gap"/> after the last, sleeping when the policy says arm.</summary>
    private (bool Slept, int Spins) Spell(AdaptiveSpinPolicy policy, double gap, bool preempted = false)
    {
        var start = _now;
        var spins = 0;
        var slept = false;
        for (var t = 1.0; t < gap && !slept; t += 1)
        {
            if (policy.Spin(start + Us(t)))
                spins++;
            else
                slept = true;
        }
        _now = start + Us(gap);
        policy.Worked(_now, preempted);
        return (slept, spins);
    }

    [Fact]
    public void A_new_policy_arms_at_the_first_empty_poll_and_a_timed_out_wait_goes_straight_back_to_sleep()
    {
        var policy = Started();
        Assert.False(policy.Spin(_now + Us(1)));
        Assert.False(policy.HasSpun);
        // The wait timed out: still nothing, and the policy does not start spinning 100 ms after the last work.
        Assert.False(policy.Spin(_now + Us(100_000)));
        Assert.Equal(0, policy.Budget);
    }

    [Fact]
    public void A_short_gap_that_woke_a_sleep_makes_the_next_spell_a_probe_of_twice_the_gap_and_a_caught_gap_keeps_it()
    {
        var policy = Started();
        Assert.True(Spell(policy, 10).Slept);
        Assert.Equal(Us(20), policy.Budget);

        Assert.Equal((false, 7), Spell(policy, 8));
        Assert.Equal(1, policy.Hits);
        Assert.Equal(Us(20), policy.Budget);
    }

    [Fact]
    public void Caught_gaps_widen_the_budget_up_to_the_longest_spin_and_a_spell_longer_than_the_budget_sleeps()
    {
        var policy = Started();
        Spell(policy, 5);
        Assert.False(Spell(policy, 9).Slept);
        Assert.Equal(Us(18), policy.Budget);
        Assert.False(Spell(policy, 17).Slept);
        Assert.Equal(Us(34), policy.Budget);
        Assert.False(Spell(policy, 30).Slept);
        Assert.Equal(Us(50), policy.Budget);

        var (slept, spins) = Spell(policy, 5_000);
        Assert.True(slept);
        Assert.Equal(49, spins);
        // An idle spell longer than any spin teaches nothing: the budget stays for the next burst.
        Assert.Equal(Us(50), policy.Budget);
    }

    [Fact]
    public void A_probe_that_catches_nothing_stops_spinning_for_a_holdoff_that_doubles_to_the_longest()
    {
        // Threaded NAPI on the poller's core: frames come only once the poller sleeps, whatever it spins.
        var policy = Started();
        var holdoffs = new List<long>();
        for (var probe = 0; probe < 6; probe++)
        {
            Assert.True(Spell(policy, 12).Slept);
            Assert.Equal(Us(24), policy.Budget);
            Assert.Equal((true, 23), Spell(policy, 30));
            Assert.Equal(0, policy.Budget);
            holdoffs.Add(policy.Holdoff);
            // Until the hold-off ends, short gaps that woke a sleep start no probe and nothing spins.
            var probeAt = _now + holdoffs.Count switch { 1 => Us(1_000), 2 => Us(2_000), 3 => Us(4_000), _ => Us(8_000) };
            while (_now + Us(12) < probeAt)
            {
                var (sleptMeanwhile, spunMeanwhile) = Spell(policy, 12);
                Assert.True(sleptMeanwhile);
                Assert.Equal(0, spunMeanwhile);
                Assert.Equal(0, policy.Budget);
            }
        }
        Assert.Equal([Us(2_000), Us(4_000), Us(8_000), Us(8_000), Us(8_000), Us(8_000)], holdoffs);
        Assert.Equal(0, policy.Hits);
    }

    [Fact]
    public void A_preempted_spin_stops_spinning_even_when_it_caught_the_work_and_a_later_caught_gap_resets_the_holdoff()
    {
        var policy = Started();
        Spell(policy, 10);
        Assert.False(Spell(policy, 6, preempted: true).Slept);
        Assert.Equal(1, policy.Preemptions);
        Assert.Equal(0, policy.Hits);
        Assert.Equal(0, policy.Budget);
        Assert.Equal(Us(2_000), policy.Holdoff);

        for (var spells = 0; spells < 99; spells++)
            Assert.Equal((true, 0), Spell(policy, 10));
        Assert.Equal(0, policy.Budget);
        Assert.True(Spell(policy, 10).Slept);
        Assert.Equal(Us(20), policy.Budget);
        Assert.False(Spell(policy, 6).Slept);
        Assert.Equal(1, policy.Hits);
        Assert.Equal(Us(1_000), policy.Holdoff);
    }

    [Fact]
    public void Preemption_reported_for_a_spell_that_never_spun_is_not_the_spins_fault()
    {
        var policy = Started();
        Assert.True(Spell(policy, 10, preempted: true).Slept);
        Assert.Equal(0, policy.Preemptions);
        Assert.Equal(Us(20), policy.Budget);
    }

    [Fact]
    public void A_policy_without_a_spin_never_spins()
    {
        var policy = Started(AdaptiveSpinPolicy.Never());
        for (var i = 0; i < 5; i++)
            Assert.Equal((true, 0), Spell(policy, 3));
        Assert.Equal(0, policy.Budget);
    }

    [Fact]
    public void Bad_limits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveSpinPolicy(TimeSpan.FromTicks(-1), FirstHoldoff, LongestHoldoff));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveSpinPolicy(MaxSpin, TimeSpan.Zero, LongestHoldoff));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveSpinPolicy(MaxSpin, LongestHoldoff, FirstHoldoff));
    }
}
