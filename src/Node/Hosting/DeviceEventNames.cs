using PdCluster.Nic.Adapters;

namespace PdCluster.Node.Hosting;

/// <summary>The device event names operators type: link-down, link-up, disable, enable, d3, d0, surprise-removal, arrival.</summary>
internal static class DeviceEventNames
{
    private static readonly (string Name, DeviceEvent Event)[] Names =
    [
        ("link-down", DeviceEvent.LinkDown), ("link-up", DeviceEvent.LinkUp), ("disable", DeviceEvent.Disable), ("enable", DeviceEvent.Enable),
        ("d3", DeviceEvent.LowPower), ("d0", DeviceEvent.FullPower), ("surprise-removal", DeviceEvent.SurpriseRemoval), ("arrival", DeviceEvent.Arrival),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Name);

    public static bool TryParse(string text, out DeviceEvent deviceEvent)
    {
        foreach (var (name, e) in Names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                deviceEvent = e;
                return true;
            }
        }
        deviceEvent = default;
        return false;
    }

    public static string Name(DeviceEvent deviceEvent) => Names.First(n => n.Event == deviceEvent).Name;
}
