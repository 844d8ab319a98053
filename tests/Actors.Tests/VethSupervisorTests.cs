using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.Queues.Packets;
using PdCluster.TestKit;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Actors;

/// <summary>
/// An adapter supervisor on provider afxdp, and on afpacket, over a veth pair, driven by real <c>ip link</c> changes
/// through the rtnetlink listener: down quiesces, up runs again, delete removes, the same name again re-adopts, and
/// every buffer comes home each time. On afxdp, with its queue holding all of the interface's traffic (RSS acquired),
/// what the pipeline hands to the OS path reaches the kernel as arrived on the interface: the peer's ARP and, with an
/// <c>os</c> filter, ping get answers.
/// </summary>
public sealed class VethSupervisorTests : TestKitBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly VethPair _veth;
    private PdAdapter _adapter = null!;
    private readonly BufferPool _pool = new(1024, checkedMode: true);
    private readonly ConcurrentQueue<object> _errors = new();

    private readonly ITestOutputHelper _output;

    public VethSupervisorTests(ITestOutputHelper output)
    {
        _output = output;
        HostPrerequisite.Require();
        _veth = new VethPair();
        Sys.EventStream.Subscribe(TestActor, typeof(AdapterStateChanged));
        var collector = Sys.ActorOf(Props.Create(() => new ErrorCollector(_errors)), "errors");
        Sys.EventStream.Subscribe(collector, typeof(ActorFailed));
        Sys.EventStream.Subscribe(collector, typeof(ActorError));
    }

    protected override void AfterTermination()
    {
        _adapter?.Dispose();
        _veth.Dispose();
    }

    /// <summary>Binds the veth's device end through <paramref name="provider"/>.</summary>
    private void Bind(string provider) => _adapter = PdProviderRegistry.Default.Get(provider).Bind(new PdAdapterOptions("pd0", PdRequirements.Default,
        AfXdp: new AfXdpAdapterOptions(_veth.DeviceInterface, _veth.DeviceNamespace), AfPacket: new AfPacketAdapterOptions(_veth.DeviceInterface, _veth.DeviceNamespace)));

    private AdapterSettings Settings(string filters = """[ { "id": "count-rest", "priority": 100 } ]""") =>
        new("pd0", _adapter.OpenProvider, _adapter.Events, _pool, SimulatedLab.Compile(filters),
            Queues: 1, QueueSize: 256, DrainNotification: true);

    private AdapterStateChanged ExpectState(AdapterState state) =>
        (AdapterStateChanged)Probe.FishForMessage(m => m is AdapterStateChanged c && c.State == state, Timeout);

    private AdapterStatus Status(IActorRef adapter) => adapter.Ask<AdapterStatus>(GetAdapterStatus.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();

    /// <summary>Sends UDP frames from the peer until the adapter's queue counts them received.</summary>
    private void ExpectTrafficReceived(IActorRef adapter)
    {
        var frame = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, 9).Build(64);
        using var sender = new PacketSender(_veth.Peer, _veth.PeerInterface);
        var before = Status(adapter).Queues.Single().Received;
        AwaitAssert(() =>
        {
            for (var i = 0; i < 10; i++)
                sender.Send(frame);
            Assert.True(Status(adapter).Queues.Single().Received > before, "frames from the peer reach the queue");
        }, Timeout);
    }

    private void StopAndAssertEveryBufferHome(IActorRef adapter)
    {
        Sys.Stop(adapter);
        AwaitCondition(() => _pool.FreeCount == _pool.Capacity, Timeout, "every buffer home after the supervisor stopped");
        Assert.Empty(_errors);
    }

    [VethTheory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void Down_quiesces_up_runs_delete_removes_and_the_same_name_again_runs_with_every_buffer_home(string provider)
    {
        Bind(provider);
        var adapter = Sys.ActorOf(AdapterSupervisor.PropsFor(Settings()), "pd0");
        ExpectState(AdapterState.Running);
        ExpectTrafficReceived(adapter);

        _veth.SetDevice(up: false);
        var quiesced = ExpectState(AdapterState.Quiesced);
        Assert.Equal(quiesced.Buffers, quiesced.FreeBuffers);
        _veth.SetDevice(up: true);
        ExpectState(AdapterState.Running);
        ExpectTrafficReceived(adapter);

        _veth.SetPeer(up: false);
        AwaitAssert(() => Assert.True(Status(adapter).Events["LinkDown"] >= 1), Timeout);
        Assert.Equal(AdapterState.Running, Status(adapter).State);
        _veth.SetPeer(up: true);
        AwaitAssert(() => Assert.True(Status(adapter).Events["LinkUp"] >= 1), Timeout);

        _veth.DeleteDevice();
        var removed = ExpectState(AdapterState.Removed);
        Assert.True(removed.Buffers == removed.FreeBuffers, $"{removed.FreeBuffers} of {removed.Buffers} home; errors: {string.Join(" | ", _errors)}");
        _veth.AddLink();
        ExpectState(AdapterState.Running);
        ExpectTrafficReceived(adapter);
        StopAndAssertEveryBufferHome(adapter);
    }

    [VethFact]
    public void Ip_link_del_under_traffic_reaches_the_supervisor_as_surprise_removal_and_leaves_nothing_behind()
    {
        var (adapter, objects) = RunWithTraffic();

        using var traffic = new PeerTraffic(_veth);
        AwaitCondition(() => traffic.Sent > 1000, Timeout, "the peer is sending");
        var clock = new StateClock(AdapterState.Removed);
        Sys.EventStream.Subscribe(Sys.ActorOf(Props.Create(() => new StateClockActor(clock)), "removal-clock"), typeof(AdapterStateChanged));
        var start = Stopwatch.GetTimestamp();
        _veth.DeleteDevice();
        var deleted = Stopwatch.GetElapsedTime(start);
        AwaitCondition(() => Status(adapter).Events["SurpriseRemoval"] >= 1, Timeout, "the supervisor to count the removal");
        var removed = ExpectState(AdapterState.Removed);
        AwaitCondition(() => clock.At != 0, Timeout, "the clock to see the announcement");
        // The supervisor announces Removed from its own thread while `ip` may still be waiting for the kernel.
        _output.WriteLine($"ip link del under traffic ({traffic.Sent} frames sent): the supervisor announced the adapter Removed " +
            $"{Stopwatch.GetElapsedTime(start, clock.At).TotalMilliseconds:0.0} ms after `ip` was started; the command returned after {deleted.TotalMilliseconds:0.0} ms.");

        Assert.True(removed.Buffers == removed.FreeBuffers, $"{removed.FreeBuffers} of {removed.Buffers} home; errors: {string.Join(" | ", _errors)}");
        AwaitAssert(() => Assert.Empty(objects.LeftBehind()), Timeout);
        StopAndAssertEveryBufferHome(adapter);
    }

    [VethFact]
    public void With_rss_taken_the_peer_gets_arp_answers_from_the_exception_path_and_ping_answers_through_an_os_filter()
    {
        Bind("afxdp");
        var adapter = Sys.ActorOf(AdapterSupervisor.PropsFor(Settings("""
            [
              { "id": "host-icmp", "priority": 0, "action": "os", "match": { "protocol": "icmp", "destinationIp": "198.18.1.1" } },
              { "id": "count-rest", "priority": 100 }
            ]
            """)), "pd0");
        ExpectState(AdapterState.Running);
        _veth.ForgetNeighbours();

        _veth.AssertDeviceAnswersPingAndArp();
        var queue = Status(adapter).Queues.Single();
        Assert.True(queue.FilterHits["host-icmp"] >= 3, $"the echo requests came through PD's filter: {queue.FilterHits["host-icmp"]}");
        Assert.True(queue.ToOs >= queue.FilterHits["host-icmp"] + 2, $"the echo requests and the ARP requests went to the OS path: {queue.ToOs}");
        StopAndAssertEveryBufferHome(adapter);
    }

    [VethFact]
    public void A_normal_stop_leaves_nothing_behind()
    {
        var (adapter, objects) = RunWithTraffic();
        StopAndAssertEveryBufferHome(adapter);
        AwaitAssert(() => Assert.Empty(objects.LeftBehind()), Timeout);
    }

    /// <summary>A supervised afxdp adapter running with traffic received, and the kernel objects it holds.</summary>
    private (IActorRef Adapter, KernelObjects Objects) RunWithTraffic()
    {
        Bind("afxdp");
        var adapter = Sys.ActorOf(AdapterSupervisor.PropsFor(Settings()), "pd0");
        ExpectState(AdapterState.Running);
        ExpectTrafficReceived(adapter);
        return (adapter, KernelObjects.Of(_veth));
    }

    /// <summary>UDP frames from the peer end as fast as one thread sends them, until the peer is gone or the test ends.</summary>
    private sealed class PeerTraffic : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _sent;

        public PeerTraffic(VethPair veth)
        {
            var frame = new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp(40000, 9).Build(64);
            var sender = new PacketSender(veth.Peer, veth.PeerInterface);
            _thread = new Thread(() =>
            {
                using (sender)
                {
                    try
                    {
                        while (!_stop)
                        {
                            sender.Send(frame);
                            Interlocked.Increment(ref _sent);
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        // The peer end went with the device end: the traffic is over.
                    }
                }
            }) { IsBackground = true, Name = "peer traffic" };
            _thread.Start();
        }

        public long Sent => Interlocked.Read(ref _sent);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }

    [VethFact]
    public void With_rss_taken_and_no_os_filter_the_echo_requests_stay_pds_while_arp_still_resolves()
    {
        Bind("afxdp");
        var adapter = Sys.ActorOf(AdapterSupervisor.PropsFor(Settings()), "pd0");
        ExpectState(AdapterState.Running);
        _veth.ForgetNeighbours();

        var ping = _veth.RunInPeer("ping -c 2 -W 1 198.18.1.1");
        Assert.NotEqual(0, ping.Code);
        Assert.Contains("0 received", ping.Output);
        Assert.Contains("02:00:00:00:00:02", VethPair.Run("ip", $"-n {_veth.PeerNamespace} neigh show 198.18.1.1").Output);
        var queue = Status(adapter).Queues.Single();
        Assert.True(queue.FilterHits["count-rest"] >= 2, $"the echo requests were PD's: {queue.FilterHits["count-rest"]}");
        StopAndAssertEveryBufferHome(adapter);
    }

    [VethTheory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void A_storm_of_ip_link_changes_ends_where_the_last_changes_say_with_every_buffer_home(string provider) => Storm(provider, seed: 9);

    [VethTheory]
    [InlineData("afxdp")]
    [InlineData("afpacket")]
    public void Another_storm_of_ip_link_changes_ends_where_the_last_changes_say_with_every_buffer_home(string provider) => Storm(provider, seed: 23);

    /// <summary>200 random changes with no pause: device down/up, peer down/up, both at once, delete and re-add.</summary>
    private void Storm(string provider, int seed)
    {
        Bind(provider);
        var settings = Settings();
        var adapter = Sys.ActorOf(AdapterSupervisor.PropsFor(settings), "pd0");
        ExpectState(AdapterState.Running);
        var random = new Random(seed);
        var (device, peer) = (true, true);
        for (var i = 0; i < 200; i++)
        {
            switch (random.Next(5))
            {
                case 0:
                    device = !device;
                    _veth.SetDevice(device);
                    break;
                case 1:
                    peer = !peer;
                    _veth.SetPeer(peer);
                    break;
                case 2 or 3:
                    device = true;
                    _veth.SetDevice(device);
                    peer = !peer;
                    _veth.SetPeer(peer);
                    break;
                default:
                    _veth.DeleteDevice();
                    _veth.AddLink();
                    (device, peer) = (true, true);
                    break;
            }
        }
        var expected = device ? AdapterState.Running : AdapterState.Quiesced;
        try
        {
            AwaitAssert(() =>
            {
                Assert.Equal(new Nic.Adapters.DeviceState(LinkUp: device && peer, Enabled: device, FullPower: true, Present: true), _adapter.Events.Current);
                var status = Status(adapter);
                Assert.Equal(expected, status.State);
                if (expected != AdapterState.Running)
                    Assert.Equal(status.Buffers, status.FreeBuffers);
            }, TimeSpan.FromSeconds(60));
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}; actor errors: {string.Join(" | ", _errors)}");
        }
        if (device && peer)
            ExpectTrafficReceived(adapter);
        StopAndAssertEveryBufferHome(adapter);
    }

    private sealed class ErrorCollector(ConcurrentQueue<object> errors) : ActorBase
    {
        protected override void OnReceive(object message) => errors.Enqueue(message);
    }

    /// <summary>When (a <see cref="Stopwatch"/> timestamp) an adapter was first announced in a state.</summary>
    private sealed class StateClock(AdapterState state)
    {
        private long _at;

        public AdapterState State => state;

        public long At => Interlocked.Read(ref _at);

        public void Saw() => Interlocked.CompareExchange(ref _at, Stopwatch.GetTimestamp(), 0);
    }

    private sealed class StateClockActor(StateClock clock) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is AdapterStateChanged changed && changed.State == clock.State)
                clock.Saw();
        }
    }
}
