namespace PdCluster.Node.Hosting;

/// <summary>The node's latest error lines (at most <see cref="Capacity"/>), for reports that explain a failure after the fact.</summary>
internal sealed class RecentErrors
{
    /// <summary>How many lines are kept; older ones give way.</summary>
    public const int Capacity = 32;

    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    /// <summary>Keeps <paramref name="line"/>, dropping the oldest beyond <see cref="Capacity"/>.</summary>
    public void Add(string line)
    {
        lock (_lock)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Capacity)
                _lines.Dequeue();
        }
    }

    /// <summary>The kept lines, oldest first.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
                return [.. _lines];
        }
    }
}
