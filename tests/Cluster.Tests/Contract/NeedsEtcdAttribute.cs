namespace PdCluster.Tests.Cluster.Contract;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> tests run against a real etcd.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsEtcdAttribute : Attribute;
