namespace PdCluster.Actors.Framework;

/// <summary>A cluster filter an adapter refused, as written at <paramref name="ModRevision"/>: left out of its set until it is written again or another filter leaves the set.</summary>
internal sealed record AdapterRefusal(long ModRevision, string Error);
