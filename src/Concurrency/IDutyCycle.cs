namespace PdCluster.Concurrency;

/// <summary>
/// Work a <see cref="DutyCycleRunner"/> repeats on a thread of its own (Aeron's Agent): one cycle at a time,
/// returning how much it did so the runner idles when it did nothing.
/// </summary>
public interface IDutyCycle
{
    /// <summary>What the work is; it becomes the runner thread's name.</summary>
    string RoleName { get; }

    /// <summary>Runs on the runner's thread before the first cycle.</summary>
    void OnStart()
    {
    }

    /// <summary>Runs one cycle; returns how much it did (0 lets the thread idle).</summary>
    int DoWork();

    /// <summary>Runs on the runner's thread after the last cycle.</summary>
    void OnClose()
    {
    }
}
