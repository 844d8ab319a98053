using System.Collections.Concurrent;
using PdCluster.Provider;
using PdCluster.TestKit;

namespace PdCluster.Tests.Actors;

/// <summary>A provider that records every receive-filter batch (and each filter it clears and sets) on its way to a real one, and refuses a batch holding a filter <paramref name="refuse"/> picks.</summary>
internal sealed class RecordingProvider(IPdProvider inner, ConcurrentQueue<string> calls, Func<ReceiveFilterParameters, bool>? refuse = null) : ReceiveFilterDecorator(inner)
{
    public override IReadOnlyList<PdReceiveFilter> UpdateReceiveFilters(IReadOnlyList<PdReceiveFilter> clear, IReadOnlyList<ReceiveFilterParameters> set)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (refuse?.Invoke(set[i]) == true)
                throw new PdReceiveFilterRefusedException(PdStatus.NotSupported, i, $"priority {set[i].Priority} is not supported.");
        }
        var added = Inner.UpdateReceiveFilters(clear, set);
        calls.Enqueue($"update: clear {clear.Count}, set {set.Count}");
        foreach (var filter in clear)
            calls.Enqueue($"clear {filter.Id} priority {filter.Parameters.Priority}");
        foreach (var filter in added)
            calls.Enqueue($"set {filter.Id} priority {filter.Parameters.Priority}");
        return added;
    }
}
