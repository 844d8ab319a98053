using PdCluster.Provider;
using PdCluster.TestKit;

namespace PdCluster.Tests.Node;

/// <summary>A provider that passes its factory's gate before a receive-filter batch that sets filters, then does what the real one does.</summary>
internal sealed class GatedProvider(IPdProvider inner, GatedProviderFactory gate) : ReceiveFilterDecorator(inner)
{
    public override IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        if (set.Count > 0)
            gate.Pass();
        return Inner.UpdateReceiveFilters(clear, set);
    }
}
