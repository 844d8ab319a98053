namespace PdCluster.Nic.SoftNic;

/// <summary>Faults a <see cref="Wire"/> injects, each a probability per frame, from a seeded generator so runs repeat.</summary>
public sealed record WireFaults(double LossRate = 0, double CorruptionRate = 0, double ReorderRate = 0, int Seed = 1);
