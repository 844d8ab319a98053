using PdCluster.Provider;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>A provider whose receive-filter changes wait while <paramref name="open"/> is reset: an adapter that does not answer a publish in time.</summary>
internal sealed class HeldProvider(IPdProvider inner, ManualResetEventSlim open) : ReceiveFilterDecorator(inner)
{
    public override IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        open.Wait();
        return Inner.UpdateReceiveFilters(clear, set);
    }
}
