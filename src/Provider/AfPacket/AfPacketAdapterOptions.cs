namespace PdCluster.Provider.AfPacket;

/// <summary>A Linux interface for provider <c>afpacket</c>: its name, and the network namespace it lives in (null: the process's own).</summary>
public sealed record AfPacketAdapterOptions(string Interface, string? NetworkNamespace = null);
