namespace PdCluster.DataPath;

/// <summary>One step of a queue's pipeline: looks at a whole burst and sets verdicts. Runs on the queue's own thread.</summary>
public interface IPacketStage
{
    /// <summary>Processes packets whose verdict is still <see cref="Verdict.Forward"/>.</summary>
    void Process(PacketBurst burst);
}
