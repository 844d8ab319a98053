using PdCluster.Concurrency;

namespace PdCluster.Actors.Kernel;

/// <summary>
/// Something a pinned actor does on its own thread between message batches: a duty cycle that returns the work it
/// did, and how to idle when there was none. The idle strategy must return when <see cref="WakeSignal"/> is set,
/// which the dispatcher does whenever a message arrives, so a control message never waits out a park.
/// </summary>
public interface IPolledActor
{
    /// <summary>One duty cycle; returns how much it did.</summary>
    int Poll();

    /// <summary>How the thread idles after a cycle with no work and no messages.</summary>
    IIdleStrategy IdleStrategy { get; }

    /// <summary>Set when a message arrives, so a sleeping thread wakes for it.</summary>
    WakeSignal WakeSignal { get; }

    /// <summary>Most messages handled between two duty cycles.</summary>
    int MessagesPerCycle => 4;
}
