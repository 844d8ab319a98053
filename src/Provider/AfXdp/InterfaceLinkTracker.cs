using PdCluster.Nic.Adapters;

namespace PdCluster.Provider.AfXdp;

/// <summary>
/// Follows one interface, by name, through rtnetlink link messages and says which device events each one means:
/// admin state (IFF_UP) gives Disable/Enable, operational state gives LinkDown/LinkUp, RTM_DELLINK (or the name
/// moving to another index) gives SurpriseRemoval, and the name appearing again gives Arrival, after the new
/// interface's admin and link changes so a supervisor never opens a device it is about to be told is down.
/// </summary>
public sealed class InterfaceLinkTracker(string name)
{
    private int _index;

    /// <summary>The interface's state after the messages so far (full power always: the kernel has no per-interface power event).</summary>
    public DeviceState State { get; private set; } = new(LinkUp: false, Enabled: false, FullPower: true, Present: false);

    /// <summary>Applies <paramref name="message"/> and appends the events it means to <paramref name="events"/>.</summary>
    public void Apply(in LinkMessage message, List<DeviceEvent> events)
    {
        switch (message.Kind)
        {
            case NetlinkKind.NewLink when message.Name == name:
                if (State.Present && message.Index != _index)
                    Remove(events);
                var arrived = !State.Present;
                _index = message.Index;
                if (message.AdminUp != State.Enabled)
                    events.Add(message.AdminUp ? DeviceEvent.Enable : DeviceEvent.Disable);
                if (message.OperationallyUp != State.LinkUp)
                    events.Add(message.OperationallyUp ? DeviceEvent.LinkUp : DeviceEvent.LinkDown);
                State = new DeviceState(message.OperationallyUp, message.AdminUp, FullPower: true, Present: true);
                if (arrived)
                    events.Add(DeviceEvent.Arrival);
                break;
            case NetlinkKind.NewLink or NetlinkKind.DelLink when State.Present && message.Index == _index:
                Remove(events);
                break;
        }
    }

    /// <summary>A full link dump ended; <paramref name="listed"/> says whether it named the interface (if not, it is gone).</summary>
    public void DumpEnded(bool listed, List<DeviceEvent> events)
    {
        if (!listed && State.Present)
            Remove(events);
    }

    private void Remove(List<DeviceEvent> events)
    {
        _index = 0;
        State = State with { Present = false };
        events.Add(DeviceEvent.SurpriseRemoval);
    }
}
