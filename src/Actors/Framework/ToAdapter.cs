namespace PdCluster.Actors.Framework;

/// <summary>Sends <paramref name="Message"/> to the node's adapter supervisor named <paramref name="Adapter"/>.</summary>
public sealed record ToAdapter(string Adapter, object Message);
