using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.SoftNic;
using PdCluster.Provider;
using PdCluster.Provider.Simulated;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Classification;

namespace PdCluster.Tests.DataPath;

public sealed class SteeringTests
{
    [Fact]
    public void Steered_packets_leave_through_the_target_queue_and_every_buffer_comes_home()
    {
        using var lab = new SoftNicLab(AdapterInfo.ConnectX3Pro("dut", 2), [new GeneratorFlow("198.18.0.1", "198.18.1.1", 17, 1, 53), new GeneratorFlow("198.18.0.2", "198.18.1.1", 6, 1, 80)]);
        using var pool = new BufferPool(4096, checkedMode: true);
        using var provider = new SimulatedProvider(lab.Adapter);
        var generator = lab.Generator!;
        var rss = provider.AcquireReceiveQueues(new PdQueueParameters(PdQueueType.Receive, 256, pool), 1)[0];
        var other = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Receive, 256, pool));
        var mesh = new SteeringMesh(2, slots: 64);
        var filters = CompiledFilterSet.Compile(FilterSpec.ReadList("""[{ "id": "dns", "action": "steer", "queue": 1, "match": { "destinationPort": "53" } }]""", "t"));
        var forwarders = new[] { rss, other }.Select((rx, i) =>
        {
            var lane = mesh.Lane(i);
            var tx = provider.AllocateQueue(new PdQueueParameters(PdQueueType.Transmit, 256, pool));
            return new PdForwarder(rx, tx, pool.CreateCache(128), [new FilterStage(new FilterTable(filters), lane), new L2ForwardStage()], steering: lane);
        }).ToArray();

        foreach (var f in forwarders)
            f.DoWork();
        while (generator.Sent < 2000)
        {
            generator.Transmit(2000 - generator.Sent);
            foreach (var f in forwarders)
                f.DoWork();
            generator.Receive();
        }
        for (var i = 0; i < 10; i++)
        {
            foreach (var f in forwarders)
                f.DoWork();
            generator.Receive();
        }

        Assert.Equal(2000, forwarders[0].Received);
        Assert.Equal(1000, forwarders[1].SteeredIn);
        Assert.Equal(1000, forwarders[0].Forwarded);
        Assert.Equal(1000, forwarders[1].Forwarded);
        Assert.Equal(2000, generator.Received);

        foreach (var f in forwarders)
            f.Quiesce(TimeSpan.FromSeconds(5));
        mesh.DrainTo(pool);
        Assert.Equal(pool.Capacity, pool.FreeCount);
    }

    [Fact]
    public void A_steer_filter_needs_a_queue()
    {
        var e = Assert.Throws<FilterSpecException>(() => FilterSpec.ReadList("""[{ "id": "x", "action": "steer" }]""", "f.json"));
        Assert.Contains("steer needs", e.Message);
    }
}
