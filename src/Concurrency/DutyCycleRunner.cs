namespace PdCluster.Concurrency;

/// <summary>
/// Runs an <see cref="IDutyCycle"/> on a dedicated thread named after its role until closed, idling by its strategy
/// when a cycle did nothing (Aeron's AgentRunner). An exception from a cycle goes to the error hook and the loop goes
/// on; the hook decides whether to close the runner. The actor kernel's pinned dispatcher and the bare benchmark loop
/// are both this runner.
/// </summary>
public sealed class DutyCycleRunner : IDisposable
{
    private readonly IDutyCycle _work;
    private readonly IIdleStrategy _idle;
    private readonly Action<Exception> _onError;
    private readonly Thread _thread;
    private volatile bool _running = true;

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
