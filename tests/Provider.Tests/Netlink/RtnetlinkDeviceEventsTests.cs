using System.Collections.Concurrent;
using PdCluster.Nic.Adapters;
using PdCluster.Provider;
using PdCluster.Provider.AfXdp;
using PdCluster.Nic.Requirements;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Provider.Netlink;

/// <summary>The afxdp adapter's device events from real <c>ip link</c> changes on a veth pair in namespaces.</summary>
public sealed class RtnetlinkDeviceEventsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly VethPair _veth;
    private readonly PdAdapter _adapter;
    private readonly BlockingCollection<DeviceEvent> _events = [];
    private readonly IDisposable _subscription;

    public RtnetlinkDeviceEventsTests()
    {
        HostPrerequisite.Require();
        _veth = new VethPair();
        var options = new PdAdapterOptions("pd0", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(_veth.DeviceInterface, _veth.DeviceNamespace));
        _adapter = PdProviderRegistry.Default.Get("afxdp").Bind(options);
        _subscription = _adapter.Events.Subscribe(_events.Add);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _adapter.Dispose();
        _veth.Dispose();
    }

    /// <summary>Takes events until <paramref name="wanted"/> comes, returning those taken (it included).</summary>
    private List<DeviceEvent> Until(DeviceEvent wanted)
    {
        var seen = new List<DeviceEvent>();
        while (_events.TryTake(out var e, Timeout))
        {
            seen.Add(e);
            if (e == wanted)
                return seen;
        }
        throw new Xunit.Sdk.XunitException($"No {wanted} within {Timeout.TotalSeconds} s; saw [{string.Join(", ", seen)}].");
    }

    private void AssertCurrent(bool link, bool enabled, bool present) =>
        Assert.Equal(new DeviceState(link, enabled, FullPower: true, present), _adapter.Events.Current);

    [VethFact]
    public void The_state_at_bind_is_the_kernels()
    {
        AssertCurrent(link: true, enabled: true, present: true);
        Assert.Empty(_events);
    }

    /// <summary>Netlink sockets in the device's namespace subscribed to link events (RTMGRP_LINK), from /proc/net/netlink.</summary>
    private int LinkListeners() => _veth.Device.Run(() => File.ReadLines("/proc/thread-self/net/netlink").Skip(1)
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Count(c => c[1] == "0" && (Convert.ToUInt32(c[3], 16) & 1) != 0));

    [VethFact]
    public void Each_bound_adapter_has_one_listener_and_disposing_it_closes_the_socket()
    {
        Assert.Equal(1, LinkListeners());
        var options = new PdAdapterOptions("pd1", PdRequirements.Default, AfXdp: new AfXdpAdapterOptions(_veth.DeviceInterface, _veth.DeviceNamespace));
        using (PdProviderRegistry.Default.Get("afxdp").Bind(options))
            Assert.Equal(2, LinkListeners());
        Assert.Equal(1, LinkListeners());
    }

    /// <summary>The listener's socket drops counted by the kernel (the Drops column of /proc/net/netlink).</summary>
    private long LinkListenerDrops() => _veth.Device.Run(() => File.ReadLines("/proc/thread-self/net/netlink").Skip(1)
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(c => c[1] == "0" && (Convert.ToUInt32(c[3], 16) & 1) != 0)
        .Sum(c => long.Parse(c[8])));

    [VethFact]
    public void An_overrun_socket_catches_up_from_a_dump()
    {
        using var release = new ManualResetEventSlim();
        using var blocked = _adapter.Events.Subscribe(_ => release.Wait());
        var batch = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(batch, Enumerable.Range(0, 3000).SelectMany(_ => new[] { $"link set {_veth.DeviceInterface} down", $"link set {_veth.DeviceInterface} up" })
                .Append($"link set {_veth.DeviceInterface} down"));
            VethPair.Ip($"-n {_veth.DeviceNamespace} -batch {batch}");
        }
        finally
        {
            File.Delete(batch);
        }
        Assert.True(LinkListenerDrops() > 0, "the flaps overran the listener's socket");
        release.Set();
        var deadline = DateTime.UtcNow + Timeout;
        while (_adapter.Events.Current != new DeviceState(LinkUp: false, Enabled: false, FullPower: true, Present: true) && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        AssertCurrent(link: false, enabled: false, present: true);
        // The backlog queued ahead of the dump (thousands of stale flaps) is not replayed: past the first datagram's
        // events, only the net change the dump shows is raised.
        Assert.InRange(_events.Count, 1, 20);
    }

    [VethFact]
    public void Low_power_comes_by_injection_since_the_kernel_has_no_event_for_it()
    {
        var injector = Assert.IsType<RtnetlinkDeviceEvents>(_adapter.Injector);
        injector.Inject(DeviceEvent.LowPower);
        Assert.Equal([DeviceEvent.LowPower], Until(DeviceEvent.LowPower));
        Assert.Equal(new DeviceState(LinkUp: true, Enabled: true, FullPower: false, Present: true), _adapter.Events.Current);
        injector.Inject(DeviceEvent.FullPower);
        Assert.Equal([DeviceEvent.FullPower], Until(DeviceEvent.FullPower));
        AssertCurrent(link: true, enabled: true, present: true);
    }

    [VethFact]
    public void Device_end_down_and_up_is_disable_and_enable()
    {
        _veth.SetDevice(up: false);
        Assert.Equal(DeviceEvent.Disable, Until(DeviceEvent.Disable)[0]);
        Until(DeviceEvent.LinkDown);
        AssertCurrent(link: false, enabled: false, present: true);
        _veth.SetDevice(up: true);
        Assert.Equal(DeviceEvent.Enable, Until(DeviceEvent.Enable)[0]);
        Until(DeviceEvent.LinkUp);
        AssertCurrent(link: true, enabled: true, present: true);
    }

    [VethFact]
    public void Peer_end_down_and_up_is_link_down_and_up()
    {
        _veth.SetPeer(up: false);
        Assert.Equal([DeviceEvent.LinkDown], Until(DeviceEvent.LinkDown));
        AssertCurrent(link: false, enabled: true, present: true);
        _veth.SetPeer(up: true);
        Assert.Equal([DeviceEvent.LinkUp], Until(DeviceEvent.LinkUp));
        AssertCurrent(link: true, enabled: true, present: true);
    }

    /// <summary>The kernel closes a device before it unregisters it, so Disable and LinkDown may come first.</summary>
    [VethFact]
    public void Delete_is_surprise_removal_and_the_same_name_again_is_arrival()
    {
        _veth.DeleteDevice();
        var removal = Until(DeviceEvent.SurpriseRemoval);
        Assert.Equal([DeviceEvent.SurpriseRemoval], removal.Except([DeviceEvent.Disable, DeviceEvent.LinkDown]));
        Assert.False(_adapter.Events.Current.Present);
        _veth.AddLink();
        Until(DeviceEvent.Arrival);
        Until(DeviceEvent.LinkUp);
        AssertCurrent(link: true, enabled: true, present: true);
    }
}
