namespace PdCluster.Provider.AfXdp;

/// <summary>A Linux interface for provider <c>afxdp</c>: its name, and the network namespace it lives in (null: the process's own).</summary>
/// <param name="ProgramPath">The compiled pd_xdp.o; null: the one built beside the assembly.</param>
public sealed record AfXdpAdapterOptions(string Interface, string? NetworkNamespace = null, string? ProgramPath = null);
