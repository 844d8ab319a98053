using System.Text.Json.Serialization;
using PdCluster.VSwitch;

namespace PdCluster.Node.Commands;

/// <summary>One VM switch port's rates over a reporting interval, and whether its switch's VFP is enabled: frames to the VM (inbound) and from it (outbound), passed and blocked by its policy.</summary>
internal sealed record PortRates(
    [property: JsonPropertyName("switch")] string Switch,
    [property: JsonPropertyName("vm")] string? Vm,
    [property: JsonPropertyName("port")] string Port,
    [property: JsonPropertyName("vfp_enabled")] bool VfpEnabled,
    [property: JsonPropertyName("blocked")] bool Blocked,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("in_pps")] long InPps,
    [property: JsonPropertyName("out_pps")] long OutPps,
    [property: JsonPropertyName("in_blocked_per_s")] long InBlockedPerSecond,
    [property: JsonPropertyName("out_blocked_per_s")] long OutBlockedPerSecond)
{
    /// <summary>Each port of <paramref name="now"/>, its rates since <paramref name="before"/> (a port new since then counts from 0), <paramref name="interval"/> seconds ago.</summary>
    public static IReadOnlyList<PortRates> Between(IReadOnlyList<SwitchStatus> before, IReadOnlyList<SwitchStatus> now, double interval)
    {
        long Rate(long delta) => interval <= 0 ? 0 : (long)(Math.Max(0, delta) / interval);
        var then = before.SelectMany(s => s.Ports).GroupBy(p => p.Identity.PortName).ToDictionary(g => g.Key, g => g.First());
        return [.. now.SelectMany(s => s.Ports.Select(p =>
        {
            var b = then.GetValueOrDefault(p.Identity.PortName);
            return new PortRates(s.Name, p.Identity.VmName, p.Identity.PortName, s.VfpEnabled, p.Blocked, p.Disabled, Rate(p.Inbound - (b?.Inbound ?? 0)), Rate(p.Outbound - (b?.Outbound ?? 0)),
                Rate(p.InboundBlocked - (b?.InboundBlocked ?? 0)), Rate(p.OutboundBlocked - (b?.OutboundBlocked ?? 0)));
        }))];
    }
}
