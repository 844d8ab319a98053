using PdCluster.Concurrency;

namespace PdCluster.Tests.Concurrency;

public sealed class DutyCycleRunnerTests
{
    private sealed class RecordingCycle(string role, int failEvery = 0) : IDutyCycle
    {
        public string? StartThread;
        public string? CloseThread;
        public int Cycles;

        public string RoleName => role;

        public void OnStart() => StartThread = Thread.CurrentThread.Name;

        public int DoWork()
        {
            var n = Interlocked.Increment(ref Cycles);
            if (failEvery > 0 && n % failEvery == 0)
                throw new InvalidOperationException($"cycle {n}");
            return 1;
        }

        public void OnClose() => CloseThread = Thread.CurrentThread.Name;
    }

    [Fact]
    public void Runs_hooks_and_cycles_on_a_thread_named_for_the_role()
    {
        var work = new RecordingCycle("queue-7");
        var errors = new List<Exception>();
        using var runner = new DutyCycleRunner(work, new BusySpinIdleStrategy(), errors.Add);
        runner.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref work.Cycles) > 100, TimeSpan.FromSeconds(10));
        runner.Close();
        Assert.True(work.Cycles > 100);
        Assert.Equal("queue-7", work.StartThread);
        Assert.Equal("queue-7", work.CloseThread);
        Assert.Empty(errors);
        Assert.True(runner.IsClosed);
    }

    [Fact]
    public void A_failing_cycle_goes_to_the_error_hook_and_the_loop_goes_on()
    {
        var work = new RecordingCycle("flaky", failEvery: 10);
        var errors = 0;
        using var runner = new DutyCycleRunner(work, new BusySpinIdleStrategy(), _ => Interlocked.Increment(ref errors));
        runner.Start();
        SpinWait.SpinUntil(() => Volatile.Read(ref errors) >= 5, TimeSpan.FromSeconds(10));
        runner.Close();
        Assert.True(errors >= 5);
        Assert.True(work.Cycles >= 50);
        Assert.Equal("flaky", work.CloseThread);
    }

    [Fact]
    public void The_work_can_close_its_own_runner()
    {
        DutyCycleRunner? runner = null;
        var closed = new ManualResetEventSlim();
        var work = new SelfClosing(() => runner!, closed);
        runner = new DutyCycleRunner(work, new BusySpinIdleStrategy(), _ => { });
        runner.Start();
        Assert.True(closed.Wait(TimeSpan.FromSeconds(10)), "the runner did not end after its work closed it");
        Assert.Equal(3, work.Cycles);
    }

    private sealed class SelfClosing(Func<DutyCycleRunner> runner, ManualResetEventSlim closed) : IDutyCycle
    {
        public int Cycles;

        public string RoleName => "self-closing";

        public int DoWork()
        {
            if (++Cycles == 3)
                runner().Close();
            return 1;
        }

        public void OnClose() => closed.Set();
    }
}
