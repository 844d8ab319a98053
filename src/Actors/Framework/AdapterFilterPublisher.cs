using PdCluster.Actors.Kernel;
using PdCluster.DataPath;
using PdCluster.Queues.Classification;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Puts one adapter's share of the cluster's filters in force: publishes its set and, when the adapter refuses one
/// cluster filter (the refusal names it), leaves that one out and publishes the rest again, so one filter the
/// hardware cannot take holds back no other. Any other failure leaves the adapter on its last good set.
/// </summary>
internal static class AdapterFilterPublisher
{
    public static async Task<AdapterOutcome> PublishAsync(AdapterPlan plan, FilterAgentSettings settings, long revision)
    {
        var adapter = plan.Target.Adapter;
        var refused = new Dictionary<string, AdapterRefusal>(plan.Refused, StringComparer.Ordinal);
        var modRevisions = plan.InScope.ToDictionary(d => d.Id, d => d.ModRevision, StringComparer.Ordinal);
        while (true)
        {
            var (set, rejected) = ScopedFilterSets.ForAdapter(plan.Target, plan.InScope, settings.LocalFilters, refused, revision, plan.Previous);
            try
            {
                await settings.Adapters.Ask<FiltersApplied>(new ToAdapter(adapter, new PublishFilters(set)), settings.PublishTimeout);
                var inForce = set.Specs.Where(s => modRevisions.ContainsKey(s.Id)).ToDictionary(s => s.Id, s => modRevisions[s.Id], StringComparer.Ordinal);
                return new AdapterOutcome(adapter, set, set, refused, inForce, rejected);
            }
            catch (FilterSpecException e) when (e.FilterId is { } id && modRevisions.TryGetValue(id, out var modRevision) && !refused.ContainsKey(id))
            {
                refused[id] = new AdapterRefusal(modRevision, e.Message);
            }
            catch (Exception e)
            {
                return new AdapterOutcome(adapter, null, set, refused, new Dictionary<string, long>(),
                    [.. rejected, new RejectedFilter("*", adapter, $"{adapter} kept its last good filter set: {e.Message}")]);
            }
        }
    }
}
