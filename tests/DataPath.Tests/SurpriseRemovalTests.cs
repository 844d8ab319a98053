using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;

namespace PdCluster.Tests.DataPath;

public sealed class SurpriseRemovalTests
{
    [Fact]
    public void No_stage_sees_a_buffer_the_failed_queue_already_handed_back()
    {
        using var lab = new SoftNicLab(AdapterInfo.ConnectX3Pro("dut", 2), [new GeneratorFlow("198.18.0.1", "198.18.1.1", 17, 1, 53)]);
        using var pool = new BufferPool(1024, checkedMode: true);
        using var provider = new SimulatedProvider(lab.Adapter);
        var rx = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 256, pool), 1)[0];
        var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 256, pool));
        using var cache = pool.CreateCache(128);
        var table = new FilterTable(CompiledFilterSet.Compile(FilterSpec.ReadList("""[{ "id": "dns", "match": { "destinationPort": "53" } }]""", "t")));
        var forwarder = new PdForwarder(rx, tx, cache, [new FilterStage(table), new L2ForwardStage()], burstSize: 256);
        forwarder.DoWork();

        // Frames wait in the ring, undrained, when the device goes: the next drain holds them and every other
        // posted buffer, flushed, in one burst.
        var generator = lab.Generator!;
        while (generator.Sent < 40)
            generator.Transmit(40 - generator.Sent);
        lab.Adapter.Inject(DeviceEvent.SurpriseRemoval);
        for (var i = 0; i < 8; i++)
            forwarder.DoWork();

        Assert.Equal(40, table.Hits(0));
        forwarder.Quiesce(TimeSpan.FromSeconds(5));
        cache.Flush();
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }
}
