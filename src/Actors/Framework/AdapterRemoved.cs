namespace PdCluster.Actors.Framework;

/// <summary>Published when an adapter disappears, so failover can move its work.</summary>
public sealed record AdapterRemoved(string Adapter);
