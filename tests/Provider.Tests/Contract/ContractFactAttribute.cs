using Xunit.Sdk;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>A provider contract fact: skipped with the reason when its class is marked as needing the veth host and the host lacks it.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PdCluster.Tests.Provider.Contract.ContractFactDiscoverer", "PdCluster.Provider.Tests")]
public sealed class ContractFactAttribute : FactAttribute;
