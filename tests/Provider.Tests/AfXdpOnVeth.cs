using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>An AfXdpProvider on the device end of a fresh veth pair, over a pool of its own, with an AF_PACKET sender on the peer end.</summary>
public sealed class AfXdpOnVeth : IDisposable
{
    private const int QueueSize = 64;

    public AfXdpOnVeth()
    {
        HostPrerequisite.Require();
        Veth = new VethPair();
        try
        {
            Sender = new PacketSender(Veth.Peer, Veth.PeerInterface);
            Provider = new AfXdpProvider(AfXdpProviderContractTests.VethHarness.Adapter(Veth.DeviceInterface), new AfXdpAdapterOptions(Veth.DeviceInterface), Veth.Device);
        }
        catch
        {
            Sender?.Dispose();
            Veth.Dispose();
            Pool.Dispose();
            throw;
        }
    }

    public VethPair Veth { get; }

    public PacketSender Sender { get; } = null!;

    public BufferPool Pool { get; } = new(512);

    public AfXdpProvider Provider { get; } = null!;

    /// <summary>Receive queues of 64 slots over <see cref="Pool"/>.</summary>
    public PdQueueParameters ReceiveQueue => new(PdQueueType.Receive, QueueSize, Pool);

    /// <summary>Fills <paramref name="queue"/> with buffers from the pool: 63, all its ring holds.</summary>
    public IPdQueue Posted(IPdQueue queue)
    {
        var buffers = new int[QueueSize - 1];
        Assert.Equal(buffers.Length, Pool.TryAllocate(buffers));
        Assert.Equal(buffers.Length, queue.PostAndDrain(buffers, []).Posted);
        return queue;
    }

    public void Dispose()
    {
        try
        {
            Provider.Dispose();
        }
        finally
        {
            Sender.Dispose();
            Veth.Dispose();
            Pool.Dispose();
        }
    }
}
