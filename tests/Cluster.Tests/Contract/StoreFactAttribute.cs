using Xunit.Sdk;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>A store test: skipped with the reason when its class is marked <see cref="NeedsEtcdAttribute"/> and etcd is missing (never under CI=true).</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PdCluster.Tests.Cluster.Contract.StoreFactDiscoverer", "PdCluster.Cluster.Tests")]
public sealed class StoreFactAttribute : FactAttribute;
