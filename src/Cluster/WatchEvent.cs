namespace PdCluster.Cluster;

/// <summary>One change seen by a watch, in revision order. A delete carries the key's last value.</summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Item, long Revision);
