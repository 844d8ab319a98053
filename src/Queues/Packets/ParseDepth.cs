namespace PdCluster.Queues.Packets;

/// <summary>How far a header walk got.</summary>
public enum ParseDepth : byte
{
    None,
    Link,
    Network,
    Transport,
}
