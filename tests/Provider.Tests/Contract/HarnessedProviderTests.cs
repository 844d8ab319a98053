using PdCluster.Provider;
using PdCluster.Queues.Buffers;

namespace PdCluster.Tests.Provider.Contract;

/// <summary>Tests of one provider that open it through a fresh harness per test and close it afterwards.</summary>
public abstract class HarnessedProviderTests : IDisposable
{
    protected HarnessedProviderTests()
    {
        Harness = CreateHarness();
    }

    protected IProviderHarness Harness { get; }

    protected IPdProvider Provider => Harness.Provider;

    protected BufferPool Pool => Harness.Pool;

    protected abstract IProviderHarness CreateHarness();

    public void Dispose()
    {
        Harness.Dispose();
        GC.SuppressFinalize(this);
    }
}
