using PdCluster.Provider;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>
/// A provider under the contract on the device end of a fresh veth pair; the peer end offers frames through AF_PACKET
/// and counts what the provider sent. A derived harness opens its provider and says what its OS path is.
/// </summary>
public abstract class VethProviderHarness : IProviderHarness
{
    private readonly PacketSender _sender;

    protected VethProviderHarness(Func<VethPair, IPdProvider> open, BufferPool? pool = null)
    {
        Pool = pool ?? new BufferPool(1024, checkedMode: true);
        HostPrerequisite.Require();
        Veth = new VethPair();
        try
        {
            _sender = new PacketSender(Veth.Peer, Veth.PeerInterface);
            Provider = open(Veth);
        }
        catch
        {
            Veth.Dispose();
            throw;
        }
    }

    public IPdProvider Provider { get; }

    /// <summary>1,024 buffers unless the harness brings its own: a 2 MiB pool, well inside the 8 MiB RLIMIT_MEMLOCK an AF_XDP UMEM must fit.</summary>
    public BufferPool Pool { get; }

    public abstract long OsPathPackets { get; }

    public long TransmittedSeen => VethPair.ReceivedPackets(Veth.Peer, Veth.PeerInterface);

    public TimeSpan Settle => TimeSpan.FromSeconds(2);

    protected VethPair Veth { get; }

    public void Offer(byte[] frame, int count = 1)
    {
        for (var i = 0; i < count; i++)
            _sender.Send(frame);
    }

    public void SurpriseRemove() => Veth.DeleteDevice();

    public void Dispose()
    {
        try
        {
            Provider.Dispose();
        }
        finally
        {
            _sender.Dispose();
            Veth.Dispose();
            Pool.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}
