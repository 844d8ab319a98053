namespace PdCluster.Cluster;

/// <summary>One key's value and its revisions, as etcd reports them.</summary>
/// <param name="CreateRevision">Store revision of the write that created the key.</param>
/// <param name="ModRevision">Store revision of the last write to the key.</param>
/// <param name="Version">Writes to the key since it was created (1 for a new key).</param>
/// <param name="Lease">The lease the key lives on, or 0.</param>
public sealed record KeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version, long Lease);
