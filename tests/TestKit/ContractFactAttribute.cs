using Xunit;
using Xunit.Sdk;

namespace PdCluster.TestKit;

/// <summary>
/// A contract fact, written once in an abstract contract class and run by each class deriving it: skipped with the
/// reason when the deriving class carries a <see cref="NeedsAttribute"/> whose prerequisite the host lacks.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PdCluster.TestKit.ContractFactDiscoverer", "PdCluster.TestKit")]
public sealed class ContractFactAttribute : FactAttribute;
