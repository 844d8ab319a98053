using PdCluster.Nic.Requirements;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Provider.Simulated;

namespace PdCluster.Provider;

/// <summary>What a provider factory needs to bind one adapter: its name, PD's requirements, and its provider's own options.</summary>
/// <param name="Simulated">The simulated port and its tester traffic (provider <c>simulated</c>).</param>
/// <param name="AfXdp">The Linux interface and its network namespace (provider <c>afxdp</c>, and <c>auto</c>).</param>
/// <param name="AfPacket">The Linux interface and its network namespace (provider <c>afpacket</c>, and <c>auto</c>).</param>
public sealed record PdAdapterOptions(string Name, PdRequirements Requirements, SimulatedAdapterOptions? Simulated = null, AfXdpAdapterOptions? AfXdp = null,
    AfPacketAdapterOptions? AfPacket = null);
