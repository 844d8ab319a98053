namespace PdCluster.Vfp;

/// <summary>Packets and bytes a port, layer or rule let through and blocked.</summary>
public readonly record struct VfpCounters(long AllowedPackets, long AllowedBytes, long BlockedPackets, long BlockedBytes);
