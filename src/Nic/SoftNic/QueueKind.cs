namespace PdCluster.Nic.SoftNic;

/// <summary>Receive or transmit.</summary>
public enum QueueKind
{
    Receive,
    Transmit,
}
