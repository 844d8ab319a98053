namespace PdCluster.Bench.Veth;

/// <summary>A receive path under test on the device end of the veth pair: it counts what it delivered to the application.</summary>
internal interface IVethReceiver : IDisposable
{
    /// <summary>Packets delivered to the application since start (read from any thread).</summary>
    long Delivered { get; }
}
