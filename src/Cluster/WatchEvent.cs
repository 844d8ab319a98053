namespace PdCluster.Cluster;

/// <summary>One change seen by a watch, in revision order. A delete carries the key and its revision, not the value it deleted (nothing needs it, and etcd would send every deleted document back).</summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Item, long Revision);
