namespace PdCluster.Actors.Kernel;

/// <summary>
/// Restarts of one child within the current window (Akka's ChildRestartStats): what a supervisor consults before it
/// starts a failed child again. Times come from the caller, normally the system's <see cref="ActorSystem.Time"/>.
/// </summary>
public sealed class RestartStats(DateTimeOffset windowStart)
{
    /// <summary>Restarts counted in the current window.</summary>
    public int Count { get; private set; }

    /// <summary>When the current window began.</summary>
    public DateTimeOffset WindowStart { get; private set; } = windowStart;

    /// <summary>
    /// Counts a restart at <paramref name="now"/> and says whether it is allowed: at most <paramref name="maxRetries"/>
    /// (negative: no limit) within <paramref name="window"/> (zero: for ever); a window that has passed starts a new count.
    /// </summary>
    public bool RequestRestartPermission(int maxRetries, TimeSpan window, DateTimeOffset now)
    {
        if (maxRetries < 0)
            return true;
        if (window > TimeSpan.Zero && now - WindowStart > window)
        {
            WindowStart = now;
            Count = 0;
        }
        Count++;
        return Count <= maxRetries;
    }
}
