namespace PdCluster.Actors.Framework;

/// <summary>A local adapter a <see cref="FilterAgent"/> publishes to: its name, its labels (for filter scopes) and how many queues it has.</summary>
public sealed record FilterTarget(string Adapter, IReadOnlyList<string> Labels, int Queues);
