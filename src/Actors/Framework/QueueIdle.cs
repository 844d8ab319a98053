namespace PdCluster.Actors.Framework;

/// <summary>What a queue thread does when a duty cycle found no work.</summary>
public enum QueueIdle
{
    /// <summary>Spin, then park up to 1 ms on the actor's wake signal (the default).</summary>
    Backoff,
    /// <summary>Never give up the core: lowest latency, one core per queue.</summary>
    BusySpin,
    /// <summary>Arm PD's drain notification on both queues, poll once more, then sleep until a completion or a message.</summary>
    DrainNotification,
    /// <summary>While traffic flows, sleep 20 µs between polls with nothing armed; after 1 ms without work, sleep on drain notification (<see cref="Concurrency.PacedIdleStrategy"/>).</summary>
    Paced,
}
