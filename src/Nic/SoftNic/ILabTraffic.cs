namespace PdCluster.Nic.SoftNic;

/// <summary>Traffic a lab offers an adapter from a tester port, and what came back.</summary>
public interface ILabTraffic
{
    /// <summary>Frames sent to the adapter.</summary>
    long Sent { get; }

    /// <summary>Frames that came back through the adapter.</summary>
    long Returned { get; }

    /// <summary>Round-trip latency at <paramref name="percentile"/> (0–100), in microseconds.</summary>
    double LatencyMicroseconds(double percentile);

    /// <summary>Starts offering traffic at the lab's rate on a thread of its own.</summary>
    void Start();

    /// <summary>Stops offering traffic and waits for the sending thread to end.</summary>
    void Stop();
}
