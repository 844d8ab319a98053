using PdCluster.Tests.Provider.Veth;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>A contract test that is skipped, naming the reason, when its class needs the veth host and the host lacks it.</summary>
public sealed class ContractTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer only.", error: true)]
    public ContractTestCase()
    {
    }

    public ContractTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(diagnostics, display, options, method)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        (TestMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsVethHostAttribute)).Any() ? HostPrerequisite.SkipReason() : null)
        ?? base.GetSkipReason(factAttribute);
}
