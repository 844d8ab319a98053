namespace PdCluster.Actors.Framework;

/// <summary>Asks an adapter supervisor for its <see cref="AdapterStatus"/>.</summary>
public sealed record GetAdapterStatus
{
    /// <summary>The one instance.</summary>
    public static readonly GetAdapterStatus Instance = new();
}
