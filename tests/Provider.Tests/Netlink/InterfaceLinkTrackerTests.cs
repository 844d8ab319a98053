using PdCluster.Nic.Adapters;
using PdCluster.Provider.AfXdp;

namespace PdCluster.Tests.Provider.Netlink;

/// <summary>Which device events the link messages about one interface mean.</summary>
public sealed class InterfaceLinkTrackerTests
{
    private const uint Up = LinkMessage.IffUp;
    private const uint Running = LinkMessage.IffUp | LinkMessage.IffRunning;
    private readonly InterfaceLinkTracker _tracker = new("pdd1");

    private List<DeviceEvent> Apply(NetlinkKind kind, int index, uint flags, string? name = "pdd1", byte? operState = null)
    {
        var events = new List<DeviceEvent>();
        _tracker.Apply(new LinkMessage(kind, 0, index, flags, name, operState), events);
        return events;
    }

    [Fact]
    public void Admin_state_is_enable_and_operational_state_is_link()
    {
        Assert.Equal([DeviceEvent.Enable, DeviceEvent.LinkUp, DeviceEvent.Arrival], Apply(NetlinkKind.NewLink, 5, Running, operState: LinkMessage.OperUp));
        Assert.Equal(new DeviceState(LinkUp: true, Enabled: true, FullPower: true, Present: true), _tracker.State);
        Assert.Equal([DeviceEvent.LinkDown], Apply(NetlinkKind.NewLink, 5, Up, operState: 7));
        Assert.Equal([DeviceEvent.LinkUp], Apply(NetlinkKind.NewLink, 5, Running, operState: LinkMessage.OperUp));
        Assert.Empty(Apply(NetlinkKind.NewLink, 5, Running, operState: LinkMessage.OperUp));
        Assert.Equal([DeviceEvent.Disable, DeviceEvent.LinkDown], Apply(NetlinkKind.NewLink, 5, 0, operState: 2));
        Assert.Equal([DeviceEvent.Enable], Apply(NetlinkKind.NewLink, 5, Up, operState: 2));
    }

    [Fact]
    public void Other_interfaces_are_ignored()
    {
        Apply(NetlinkKind.NewLink, 5, Running);
        Assert.Empty(Apply(NetlinkKind.NewLink, 6, 0, "pdp1"));
        Assert.Empty(Apply(NetlinkKind.DelLink, 6, 0, "pdp1"));
        Assert.True(_tracker.State.Present);
    }

    [Fact]
    public void Deletion_is_surprise_removal_and_the_name_back_is_arrival_after_its_state()
    {
        Apply(NetlinkKind.NewLink, 5, Running);
        Assert.Equal([DeviceEvent.SurpriseRemoval], Apply(NetlinkKind.DelLink, 5, 0));
        Assert.False(_tracker.State.Present);
        Assert.Equal([DeviceEvent.Disable, DeviceEvent.LinkDown, DeviceEvent.Arrival], Apply(NetlinkKind.NewLink, 8, 0));
        Assert.Equal([DeviceEvent.SurpriseRemoval], Apply(NetlinkKind.NewLink, 8, 0, "renamed"));
    }

    [Fact]
    public void The_name_on_a_new_index_means_the_old_one_went_unseen()
    {
        Apply(NetlinkKind.NewLink, 5, Running);
        Assert.Equal([DeviceEvent.SurpriseRemoval, DeviceEvent.Arrival], Apply(NetlinkKind.NewLink, 9, Running));
    }

    [Fact]
    public void A_dump_without_the_interface_removes_it()
    {
        Apply(NetlinkKind.NewLink, 5, Running);
        var events = new List<DeviceEvent>();
        _tracker.DumpEnded(listed: true, events);
        Assert.Empty(events);
        _tracker.DumpEnded(listed: false, events);
        Assert.Equal([DeviceEvent.SurpriseRemoval], events);
    }
}
