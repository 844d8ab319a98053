
namespace PdCluster.Provider;

/// <summary>Receive or transmit.</summary>
public enum PdQueueType
{
    Receive,
    Transmit,
}
