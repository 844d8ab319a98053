namespace PdCluster.Concurrency;

/// <summary>The <c>poll(2)</c> readiness a <see cref="WakeSignal"/> waits for on a descriptor it watches.</summary>
[Flags]
public enum PollEvents : short
{
    /// <summary><c>POLLIN</c>: something to read (a receive ring holds a frame, a packet ring retired a block).</summary>
    In = 0x1,

    /// <summary><c>POLLOUT</c>: room to write (a packet socket's transmit ring gave a frame back).</summary>
    Out = 0x4,
}
