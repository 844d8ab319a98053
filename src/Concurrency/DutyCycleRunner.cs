using System.Diagnostics;

namespace PdCluster.Concurrency;

/// <summary>
/// Runs an <see cref="IDutyCycle"/> on a dedicated thread named after its role until closed, idling by its strategy
/// when a cycle did nothing (Aeron's AgentRunner). An exception from a cycle goes to the error hook and the loop goes
/// on; the hook decides whether to close the runner. The actor kernel's pinned dispatcher and the bare benchmark loop
/// are both this runner. A loop that keeps finding work never enters the kernel, and this kernel (preempt=none, 250 Hz)
/// then lets a thread woken on its core (a supervisor, a publisher's reply) wait for the next tick, 4 ms: so the loop
/// yields its core (<c>sched_yield</c>) once every <see cref="YieldInterval"/>, and such a thread runs then.
/// </summary>
public sealed class DutyCycleRunner : IDisposable
{
    private readonly IDutyCycle _work;
    private readonly IIdleStrategy _idle;
    private readonly Action<Exception> _onError;
    private readonly Thread _thread;
    private volatile bool _running = true;

    /// <summary>How long a loop runs at most before it yields its core to whatever waits for it.</summary>
    public static readonly TimeSpan YieldInterval = TimeSpan.FromMicroseconds(100);

    /// <summary>Cycles between two reads of the clock that decide whether to yield.</summary>
    private const int CyclesPerClockRead = 16;

    /// <summary>Creates (but does not start) the runner.</summary>
    /// <param name="onError">Called on the runner's thread with whatever a cycle or a hook threw.</param>
    public DutyCycleRunner(IDutyCycle work, IIdleStrategy idle, Action<Exception> onError)
    {
        _work = work;
        _idle = idle;
        _onError = onError;
        _thread = new Thread(Run) { Name = work.RoleName, IsBackground = true };
    }

    /// <summary>Whether the loop has been asked to stop.</summary>
    public bool IsClosed => !_running;

    /// <summary>Starts the thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Asks the loop to stop after its current cycle and returns at once (wake a parked idle strategy after it).</summary>
    public void RequestClose() => _running = false;

    /// <summary>
    /// Stops the loop after its current cycle; from any other thread, waits until the close hook ran. Called on the
    /// runner's own thread (by the work itself), it returns at once and the loop ends after this cycle.
    /// </summary>
    public void Close()
    {
        RequestClose();
        if (Thread.CurrentThread != _thread && _thread.IsAlive)
            _thread.Join();
    }

    /// <inheritdoc/>
    public void Dispose() => Close();

    private void Run()
    {
        try
        {
            _work.OnStart();
        }
        catch (Exception e)
        {
            _onError(e);
            _running = false;
        }
        var yieldTicks = (long)(YieldInterval.TotalSeconds * Stopwatch.Frequency);
        var lastYield = Stopwatch.GetTimestamp();
        var cycles = 0;
        while (_running)
        {
            try
            {
                _idle.Idle(_work.DoWork());
            }
            catch (Exception e)
            {
                _onError(e);
            }
            if (++cycles < CyclesPerClockRead)
                continue;
            cycles = 0;
            var now = Stopwatch.GetTimestamp();
            if (now - lastYield >= yieldTicks)
            {
                Thread.Yield();
                lastYield = now;
            }
        }
        try
        {
            _work.OnClose();
        }
        catch (Exception e)
        {
            _onError(e);
        }
    }
}
