using System.Collections.Concurrent;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Adapters;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>
/// Device events fired with no pause at a supervised adapter under traffic, with its status read all the while: the
/// adapter ends in the state the last events imply, counts every event, never fails, and never touches a buffer
/// after it went back to the (checked) pool.
/// </summary>
public sealed class DeviceEventStormTests : TestKitBase
{
    private readonly SimulatedLab _lab = new(rate: 100_000);

    protected override void AfterTermination() => _lab.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_storm_of_events_with_no_pause_ends_where_the_last_events_say_and_loses_nothing(int seed)
    {
        var failures = new ConcurrentQueue<ActorFailed>();
        var errors = new ConcurrentQueue<ActorError>();
        var listener = Sys.ActorOf(Props.Create(() => new EventCollector(failures, errors)), "collector");
        Sys.EventStream.Subscribe(listener, typeof(ActorFailed));
        Sys.EventStream.Subscribe(listener, typeof(ActorError));
        var settings = _lab.Settings();
        var node = NodeSupervisor.Start(Sys, "storm-node", [settings]);
        AwaitCondition(() => settings.Telemetry.State == AdapterState.Running, TimeSpan.FromSeconds(10), "the adapter to start");

        var random = new Random(seed);
        var all = Enum.GetValues<DeviceEvent>();
        var sent = Enumerable.Range(0, 1000).Select(_ => all[random.Next(all.Length)]).ToList();
        var reading = true;
        var reads = 0;
        Exception? readFailure = null;
        var reader = new Thread(() =>
        {
            try
            {
                while (Volatile.Read(ref reading))
                {
                    var status = node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
                    Assert.Single(status.Adapters);
                    reads++;
                }
            }
            catch (Exception e)
            {
                readFailure = e;
            }
        });
        reader.Start();
        foreach (var e in sent)
            _lab.Adapter.Inject(e);

        var expected = ImpliedDeviceState.After(sent).State;
        AwaitAssert(() =>
        {
            var status = node.Ask<NodeStatus>(GetNodeStatus.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Adapters.Single();
            Assert.Equal(expected, status.State);
            foreach (var kind in all)
                Assert.Equal(sent.Count(e => e == kind), status.Events[kind.ToString()]);
            if (expected != AdapterState.Running)
                Assert.Equal(status.Buffers, status.FreeBuffers);
        }, TimeSpan.FromSeconds(20));
        Volatile.Write(ref reading, false);
        Assert.True(reader.Join(TimeSpan.FromSeconds(20)), "the status reader did not finish");
        Assert.Null(readFailure);
        Assert.True(reads > 0);

        if (expected == AdapterState.Running)
        {
            var before = _lab.Returned;
            AwaitCondition(() => _lab.Returned > before + 100, TimeSpan.FromSeconds(10), "traffic after the storm");
        }
        Watch(node);
        Sys.Stop(node);
        ExpectTerminated(node, TimeSpan.FromSeconds(20));
        Assert.Equal(_lab.Pool.Capacity, _lab.Pool.FreeCount);
        Assert.DoesNotContain(failures, f => f.Actor.Path.EndsWith("/pd0"));
        Assert.DoesNotContain(failures, f => f.Cause is Queues.Buffers.BufferPoolException);
        Assert.Empty(errors);
    }

    private sealed class EventCollector(ConcurrentQueue<ActorFailed> failures, ConcurrentQueue<ActorError> errors) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is ActorFailed failed)
                failures.Enqueue(failed);
            else if (message is ActorError error)
                errors.Enqueue(error);
        }
    }
}
