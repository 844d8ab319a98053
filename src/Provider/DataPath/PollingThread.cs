using PdCluster.Queues.Idle;

namespace PdCluster.Provider.DataPath;

/// <summary>
/// A dedicated thread that runs a duty cycle until stopped, idling by its strategy when a cycle did nothing
/// (Aeron's AgentRunner). An exception in the cycle stops the thread and is kept in <see cref="Fault"/>.
/// </summary>
public sealed class PollingThread : IDisposable
{
    private readonly IDutyCycle _work;
    private readonly IIdleStrategy _idle;
    private readonly Thread _thread;
    private volatile bool _running;

    /// <summary>Creates (but does not start) a thread named <paramref name="name"/>.</summary>
    public PollingThread(string name, IDutyCycle work, IIdleStrategy idle)
    {
        _work = work;
        _idle = idle;
        _thread = new Thread(Run) { Name = name, IsBackground = true };
    }

    /// <summary>Why the thread stopped on its own, if it did.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Starts the loop.</summary>
    public void Start()
    {
        _running = true;
        _thread.Start();
    }

    /// <summary>Asks the loop to stop after its current cycle and waits for the thread to end.</summary>
    public void Stop()
    {
        _running = false;
        if (_thread.IsAlive)
            _thread.Join();
    }

    /// <inheritdoc/>
    public void Dispose() => Stop();

    private void Run()
    {
        try
        {
            while (_running)
                _idle.Idle(_work.DoWork());
        }
        catch (Exception e)
        {
            Fault = e;
        }
    }
}
