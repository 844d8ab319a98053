using PdCluster.Tests.Cluster.Etcd;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace PdCluster.Tests.Cluster.Contract;

/// <summary>A store test that is skipped, naming the reason, when its class needs etcd and the host lacks it.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer only.", error: true)]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(diagnostics, display, options, method)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        (TestMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsEtcdAttribute)).Any() ? EtcdPrerequisite.SkipReason() : null)
        ?? base.GetSkipReason(factAttribute);
}
