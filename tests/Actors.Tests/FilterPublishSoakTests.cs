using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Nic.Adapters;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

public sealed class FilterPublishSoakTests : TestKitBase
{
    private readonly SimulatedLab _lab = new();

    protected override void AfterTermination() => _lab.Dispose();

    /// <summary>Sets that share some filters, change others (conditions, queue, priority, context), steer in software, or have none.</summary>
    private static readonly CompiledFilterSet[] Sets =
    [
        SimulatedLab.Filters,
        SimulatedLab.Compile("""
            [
              { "id": "drop-udp-flood", "priority": 10, "action": "drop", "match": { "protocol": "udp", "sourceIp": "198.18.128.0/17" } },
              { "id": "steer-web", "priority": 20, "queue": 0, "match": { "protocol": "tcp", "destinationPort": "80" } },
              { "id": "dns", "priority": 30, "queue": 1, "match": { "protocol": "udp", "destinationPort": "53" } }
            ]
            """, 2),
        SimulatedLab.Compile("""
            [
              { "id": "steer-web", "priority": 20, "queue": 1, "match": { "protocol": "tcp", "destinationPort": "80" } },
              { "id": "dns", "priority": 25, "queue": 1, "match": { "protocol": "udp", "destinationPort": "53" } },
              { "id": "flood-to-0", "priority": 40, "action": "steer", "queue": 0, "match": { "destinationPort": "9999" } }
            ]
            """, 3),
        SimulatedLab.Compile("[]", 4),
        SimulatedLab.Compile("""
            [
              { "id": "steer-web", "priority": 20, "queue": 1, "context": 7, "match": { "protocol": "tcp", "destinationPort": "80" } },
              { "id": "dns", "priority": 30, "queue": 1, "match": { "protocol": "udp", "destinationPort": "53" } },
              { "id": "count-rest", "priority": 100 }
            ]
            """, 5),
    ];

    private AdapterStatus Status(IActorRef adapter) => adapter.Ask<AdapterStatus>(GetAdapterStatus.Instance, TestTime.DefaultTimeout).GetAwaiter().GetResult();

    private static FiltersApplied Publish(IActorRef adapter, CompiledFilterSet filters) =>
        adapter.Ask<FiltersApplied>(new PublishFilters(filters), TestTime.DefaultTimeout).GetAwaiter().GetResult();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Publishes_between_random_device_events_keep_receive_filters_and_queue_tables_on_the_last_set(int seed)
    {
        var settings = _lab.Settings();
        var adapter = Sys.ActorOf(Props.Create(() => new AdapterSupervisor(settings)), "pd0");
        var random = new Random(seed);
        var events = Enum.GetValues<DeviceEvent>();
        var inForce = SimulatedLab.Filters;
        var device = new ImpliedDeviceState();
        for (var step = 0; step < 100; step++)
        {
            var what = "";
            if (random.Next(3) == 0)
            {
                inForce = Sets[random.Next(Sets.Length)];
                Assert.Equal(inForce.Revision, Publish(adapter, inForce).Revision);
                what = $"publish {inForce.Revision}";
            }
            else
            {
                // Half the time bring back what is down, so sets published while closed meet an open often.
                var down = new List<DeviceEvent>();
                if (!device.Enabled)
                    down.Add(DeviceEvent.Enable);
                if (!device.Powered)
                    down.Add(DeviceEvent.FullPower);
                if (!device.Present)
                    down.Add(DeviceEvent.Arrival);
                var e = down.Count > 0 && random.Next(2) == 0 ? down[random.Next(down.Count)] : events[random.Next(events.Length)];
                _lab.Adapter.Inject(e);
                device.Apply(e);
                what = e.ToString();
            }
            var expected = device.State;
            AwaitAssert(() => Assert.Equal(expected, Status(adapter).State), TimeSpan.FromSeconds(5));
            try
            {
                AwaitAssert(() => _lab.AssertFiltersInForce(settings, inForce), TimeSpan.FromSeconds(5));
            }
            catch (Exception failure)
            {
                throw new Xunit.Sdk.XunitException($"step {step} ({what}), set {inForce.Revision} in force: {failure.Message}");
            }
            if (expected == AdapterState.Running && device.Link && step % 5 == 0)
            {
                var before = _lab.Returned;
                AwaitCondition(() => _lab.Returned > before + 50, TimeSpan.FromSeconds(5), $"traffic after step {step} ({what})");
            }
        }
        Watch(adapter);
        Sys.Stop(adapter);
        ExpectTerminated(adapter);
        Assert.Equal(0, _lab.Adapter.FilterCount);
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
    }
}
