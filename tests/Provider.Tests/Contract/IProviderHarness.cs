using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>
/// What the provider contract needs around a provider under test: a way to make frames arrive at its adapter from
/// outside, to see frames it sent and what its OS path got, and to pull the device out.
/// </summary>
public interface IProviderHarness : IDisposable
{
    /// <summary>The provider under test, open on its adapter.</summary>
    IPdProvider Provider { get; }

    /// <summary>The client's buffers.</summary>
    BufferPool Pool { get; }

    /// <summary>Sends <paramref name="count"/> copies of <paramref name="frame"/> to the adapter from its link peer.</summary>
    void Offer(byte[] frame, int count = 1);

    /// <summary>Frames the adapter gave to the OS's normal path.</summary>
    long OsPathPackets { get; }

    /// <summary>Frames that left the adapter and reached the link peer so far.</summary>
    long TransmittedSeen { get; }

    /// <summary>Removes the device without warning.</summary>
    void SurpriseRemove();

    /// <summary>How long an offered frame may take to arrive (zero for a synchronous simulation).</summary>
    TimeSpan Settle { get; }
}
