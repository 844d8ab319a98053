namespace PdCluster.DataPath;

/// <summary>What happens to a packet after the pipeline.</summary>
public enum Verdict : byte
{
    /// <summary>Send it out of the transmit queue.</summary>
    Forward,
    /// <summary>Return its buffer to the pool.</summary>
    Drop,
    /// <summary>Hand it back to the OS's normal receive path.</summary>
    ToOs,
    /// <summary>A stage kept the buffer; the pipeline forgets it.</summary>
    Consume,
}
