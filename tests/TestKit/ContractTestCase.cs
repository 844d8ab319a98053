using Xunit.Abstractions;
using Xunit.Sdk;

namespace PdCluster.TestKit;

/// <summary>A contract test that is skipped, naming the reason, when its class needs what the host lacks.</summary>
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
        TestMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsAttribute)).OfType<IReflectionAttributeInfo>()
            .Select(a => ((NeedsAttribute)a.Attribute).SkipReason()).FirstOrDefault(reason => reason is not null)
        ?? base.GetSkipReason(factAttribute);
}
