using PdCluster.Nic.Adapters;

namespace PdCluster.Actors.Framework;

/// <summary>An adapter's device event, delivered to its supervisor's mailbox.</summary>
public sealed record DeviceEventOccurred(DeviceEvent Event);
