using PdCluster.Actors.Kernel;
using Xunit.Sdk;

namespace PdCluster.TestKit;

/// <summary>
/// Base class for actor tests: a fresh <see cref="Sys"/> per test, a default probe (<see cref="TestActor"/>) whose
/// Expect methods are exposed directly, AwaitAssert/AwaitCondition, and filters for expected failures and dead letters.
/// </summary>
public abstract class TestKitBase : IDisposable
{
    private int _probes;

    static TestKitBase()
    {
        // Expectations block the test's thread while actors and timers run on the pool; on a 2-core machine the
        // pool's slow thread injection would otherwise delay timers and mailboxes for seconds.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
    }

    protected TestKitBase(ActorSystemSettings? settings = null)
    {
        Sys = ActorSystem.Create("test", settings);
        Probe = CreateTestProbe();
    }

    /// <summary>The system under test.</summary>
    protected ActorSystem Sys { get; }

    /// <summary>The default probe.</summary>
    protected TestProbe Probe { get; }

    /// <summary>The default probe's address, the usual sender in tests.</summary>
    protected IActorRef TestActor => Probe.Ref;

    /// <summary>A new probe.</summary>
    protected TestProbe CreateTestProbe() => new(Sys, $"probe-{Interlocked.Increment(ref _probes)}");

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(Func{T, bool}?, TimeSpan?)"/>
    protected T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => Probe.ExpectMsg(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>
    protected T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull => Probe.ExpectMsg(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectNoMsg"/>
    protected void ExpectNoMsg(TimeSpan duration) => Probe.ExpectNoMsg(duration);

    /// <inheritdoc cref="TestProbe.ExpectTerminated"/>
    protected Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => Probe.ExpectTerminated(target, timeout);

    /// <inheritdoc cref="TestProbe.Watch"/>
    protected void Watch(IActorRef target) => Probe.Watch(target);

    /// <summary>Retries <paramref name="assertion"/> until it passes or <paramref name="duration"/> (dilated) runs out.</summary>
    protected static void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (duration.HasValue ? TestTime.Dilated(duration.Value) : TestTime.DefaultTimeout);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(interval ?? TimeSpan.FromMilliseconds(10));
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails after <paramref name="duration"/> (dilated).</summary>
    protected static void AwaitCondition(Func<bool> condition, TimeSpan? duration = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (duration.HasValue ? TestTime.Dilated(duration.Value) : TestTime.DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new XunitException($"Timed out waiting for {what ?? "the condition"}.");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and waits for <paramref name="occurrences"/> actor failures with a
    /// <typeparamref name="TException"/>; returns them.
    /// </summary>
    protected IReadOnlyList<ActorFailed> ExpectFailure<TException>(Action action, int occurrences = 1) where TException : Exception =>
        Filter<ActorFailed>(action, occurrences, f => f.Cause is TException);

    /// <summary>Runs <paramref name="action"/> and waits for <paramref name="occurrences"/> dead letters carrying a <typeparamref name="TMessage"/>.</summary>
    protected IReadOnlyList<DeadLetter> ExpectDeadLetters<TMessage>(Action action, int occurrences = 1) =>
        Filter<DeadLetter>(action, occurrences, d => d.Message is TMessage);

    private IReadOnlyList<TEvent> Filter<TEvent>(Action action, int occurrences, Func<TEvent, bool> matches)
    {
        var listener = CreateTestProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(TEvent));
        try
        {
            action();
            var seen = new List<TEvent>();
            while (seen.Count < occurrences)
                seen.Add((TEvent)listener.FishForMessage(m => m is TEvent e && matches(e)));
            return seen;
        }
        finally
        {
            Sys.EventStream.Unsubscribe(listener.Ref);
        }
    }

    /// <summary>Terminates the system, then runs <see cref="AfterTermination"/>.</summary>
    public void Dispose()
    {
        Sys.Terminate().Wait(TestTime.Dilated(TimeSpan.FromSeconds(10)));
        AfterTermination();
        GC.SuppressFinalize(this);
    }

    /// <summary>Cleans up what the test made outside the actor system, once every actor has stopped.</summary>
    protected virtual void AfterTermination()
    {
    }
}
