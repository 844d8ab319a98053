using PdCluster.Actors.Framework;
using PdCluster.Nic.Adapters;

namespace PdCluster.Tests.Actors;

/// <summary>The flags a run of device events leaves an adapter with, from the all-up start, and the state they imply.</summary>
internal sealed class ImpliedDeviceState
{
    public bool Present { get; private set; } = true;

    public bool Enabled { get; private set; } = true;

    public bool Powered { get; private set; } = true;

    public bool Link { get; private set; } = true;

    /// <summary>Running when present, enabled and powered; Removed when gone; Quiesced otherwise.</summary>
    public AdapterState State => !Present ? AdapterState.Removed : Enabled && Powered ? AdapterState.Running : AdapterState.Quiesced;

    public static ImpliedDeviceState After(IEnumerable<DeviceEvent> events)
    {
        var state = new ImpliedDeviceState();
        foreach (var e in events)
            state.Apply(e);
        return state;
    }

    public void Apply(DeviceEvent e)
    {
        switch (e)
        {
            case DeviceEvent.LinkUp: Link = true; break;
            case DeviceEvent.LinkDown: Link = false; break;
            case DeviceEvent.Enable: Enabled = true; break;
            case DeviceEvent.Disable: Enabled = false; break;
            case DeviceEvent.FullPower: Powered = true; break;
            case DeviceEvent.LowPower: Powered = false; break;
            case DeviceEvent.SurpriseRemoval: Present = false; break;
            case DeviceEvent.Arrival: Present = true; break;
        }
    }
}
