using PdCluster.Provider;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider;

/// <summary>
/// Transmit on provider afxdp in copy mode (veth): the kernel sends at most a batch of 32 frames per wake-up, so one
/// post of a larger burst must wake it until the TX ring is empty; the burst then completes whole with no further post.
/// </summary>
public sealed class AfXdpTransmitBurstTests : IDisposable
{
    private const int Burst = 200;
    private readonly AfXdpOnVeth _rig = new();

    [VethFact]
    public void One_post_of_a_burst_larger_than_the_kernels_batch_sends_every_frame()
    {
        var tx = _rig.Provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 256, _rig.Pool));
        var handles = new int[Burst];
        Assert.Equal(Burst, _rig.Pool.TryAllocate(handles));
        // To the peer's MAC from the device's, EtherType 0x88b5 (local experimental): the peer's kernel counts and drops it.
        var frame = new byte[60];
        for (var i = 0; i < 6; i++)
        {
            frame[i] = (byte)(VethPair.PeerMac >> (40 - 8 * i));
            frame[6 + i] = (byte)(VethPair.DeviceMac >> (40 - 8 * i));
        }
        frame[12] = 0x88;
        frame[13] = 0xb5;
        foreach (var handle in handles)
            _rig.Pool.SetPacket(handle, frame);
        var before = PeerReceived();

        Assert.Equal(Burst, tx.PostAndDrain(handles, []).Posted);

        // Only drains from here on: a drain never wakes the kernel, so whatever completes was sent by the one post.
        var completions = new int[Burst];
        var completed = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (completed < Burst && DateTime.UtcNow < deadline)
        {
            var drained = tx.PostAndDrain([], completions).Drained;
            _rig.Pool.Return(completions.AsSpan(0, drained));
            completed += drained;
            if (drained == 0)
                Thread.Sleep(1);
        }
        Assert.Equal(Burst, completed);
        Assert.True(PeerReceived() - before >= Burst, $"the peer received {PeerReceived() - before} of the {Burst} frames");
        Assert.Equal(0, tx.Outstanding);
        _rig.Provider.FreeQueue(tx);
    }

    private long PeerReceived() => long.Parse(_rig.Veth.RunInPeer($"cat /sys/class/net/{_rig.Veth.PeerInterface}/statistics/rx_packets").Output);

    public void Dispose() => _rig.Dispose();
}
