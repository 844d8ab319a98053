namespace PdCluster.Actors.Kernel;

/// <summary>
/// Stops a node in ordered phases, each with its own timeout: tasks of one phase run together, and the next phase
/// starts when they finished or the timeout passed. Runs once, whoever asks first (a call, or the host on a signal).
/// The last phase terminates the actor system.
/// </summary>
public sealed class CoordinatedShutdown
{
    /// <summary>Akka's phase names, in order.</summary>
    public static readonly IReadOnlyList<string> DefaultPhases =
    [
        "before-service-unbind", "service-unbind", "service-requests-done", "service-stop",
        "before-cluster-shutdown", "cluster-leave", "cluster-shutdown", "before-actor-system-terminate", "actor-system-terminate",
    ];

    private readonly ActorSystem _system;
    private readonly Lock _lock = new();
    private readonly List<(string Phase, string Name, Func<CancellationToken, Task> Task)> _tasks = [];
    private readonly Dictionary<string, TimeSpan> _timeouts;
    private Task? _run;

    internal CoordinatedShutdown(ActorSystem system, TimeSpan phaseTimeout)
    {
        _system = system;
        _timeouts = DefaultPhases.ToDictionary(p => p, _ => phaseTimeout);
    }

    /// <summary>Why the shutdown runs, once it does.</summary>
    public string? Reason { get; private set; }

    /// <summary>Phases that ran out of time, in order.</summary>
    public IReadOnlyList<string> TimedOutPhases => _timedOut;

    private readonly List<string> _timedOut = [];

    /// <summary>Sets how long <paramref name="phase"/> may take.</summary>
    public void SetPhaseTimeout(string phase, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (!_timeouts.ContainsKey(phase))
                throw new ArgumentException($"Unknown shutdown phase '{phase}'.", nameof(phase));
            _timeouts[phase] = timeout;
        }
    }

    /// <summary>Adds a task to <paramref name="phase"/>; it gets a token cancelled when the phase times out.</summary>
    public void AddTask(string phase, string name, Func<CancellationToken, Task> task)
    {
        lock (_lock)
        {
            if (!_timeouts.ContainsKey(phase))
                throw new ArgumentException($"Unknown shutdown phase '{phase}' (known: {string.Join(", ", DefaultPhases)}).", nameof(phase));
            if (_run is not null)
                throw new InvalidOperationException("Coordinated shutdown is already running.");
            _tasks.Add((phase, name, task));
        }
    }

    /// <summary>Runs the phases in order (only the first call does; later calls get the same task).</summary>
    public Task Run(string reason)
    {
        lock (_lock)
        {
            if (_run is null)
            {
                Reason = reason;
                _run = RunPhases();
            }
            return _run;
        }
    }

    private async Task RunPhases()
    {
        foreach (var phase in DefaultPhases)
        {
            List<(string Phase, string Name, Func<CancellationToken, Task> Task)> tasks;
            TimeSpan timeout;
            lock (_lock)
            {
                tasks = [.. _tasks.Where(t => t.Phase == phase)];
                timeout = _timeouts[phase];
            }
            if (phase == "actor-system-terminate")
                tasks.Add((phase, "terminate", _ => _system.Terminate()));
            if (tasks.Count == 0)
                continue;
            // Cancelled only once the phase is known to have timed out, so a task that honours the token cannot win the race.
            using var cancel = new CancellationTokenSource();
            var running = tasks.Select(t => Task.Run(() => t.Task(cancel.Token))).ToArray();
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false) != all)
            {
                _timedOut.Add(phase);
                await cancel.CancelAsync().ConfigureAwait(false);
            }
            else if (all.IsFaulted)
            {
                _system.EventStream.Publish(new ActorError(Nobody.Instance, $"Shutdown phase {phase} had a failing task: {all.Exception!.GetBaseException().Message}", all.Exception!));
            }
        }
    }
}
