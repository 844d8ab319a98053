namespace PdCluster.Actors.Framework;

/// <summary>One key under <c>filters/</c> as a <see cref="FilterAgent"/> read it: the filter, or why it is refused.</summary>
internal sealed record DesiredFilter(string Id, ClusterFilter? Filter, string? Error, long ModRevision)
{
    /// <summary>Reads a stored document, keeping its error instead of throwing.</summary>
    public static DesiredFilter Read(string id, string key, string json, long modRevision)
    {
        try
        {
            return new DesiredFilter(id, ClusterFilter.Read(json, key, id), null, modRevision);
        }
        catch (Queues.Classification.FilterSpecException e)
        {
            return new DesiredFilter(id, null, e.Message, modRevision);
        }
    }
}
