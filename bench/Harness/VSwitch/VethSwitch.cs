using System.Runtime.InteropServices;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;
using PdCluster.Queues.Buffers;
using PdCluster.VSwitch;

namespace PdCluster.Bench.VSwitch;

/// <summary>
/// <c>pd-bench vswitch-veth --namespace NS --external IF --provider afxdp|afpacket --rules N --vm NAME=MAC=ADDRESS/LEN...</c>:
/// the switch of <c>bench/vswitch.sh</c>'s veth cases. Its external port is IF in the switch host's namespace NS, and
/// each VM a namespace <c>pdvm-NAME</c> (<see cref="NamespaceVm"/>: eth0 with the static MAC and the address, its veth
/// peer in NS is the port, on AF_XDP, else afpacket); every port gets N VFP rules (0: VFP off). Prints a line
/// <c>port NAME PROVIDER</c> per VM (with why AF_XDP was passed over, if it was), then <c>ready</c> once forwarding,
/// runs until SIGTERM or SIGINT, then stops the VMs (their namespaces go) and closes the external port.
/// </summary>
internal static class VethSwitch
{
    public static int Run(string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var ns = Text("--namespace");
        var external = Text("--external");
        var provider = Text("--provider") ?? "afxdp";
        var vms = args.Select((a, i) => a == "--vm" && i + 1 < args.Length ? args[i + 1].Split('=') : null).OfType<string[]>().ToList();
        if (ns is null || external is null || provider is not ("afxdp" or "afpacket") || !int.TryParse(Text("--rules") ?? "0", out var rules) || rules is < 0 or 1
            || vms.Count == 0 || vms.Any(v => v.Length != 3 || !AdapterInfo.TryParseMac(v[1], out _)))
        {
            Console.Error.WriteLine("pd-bench vswitch-veth: --namespace NS --external IF [--provider afxdp|afpacket] [--rules 0 or 2 and up] --vm NAME=MAC=ADDRESS/LEN (one or more)");
            return 2;
        }
        using var stop = new ManualResetEventSlim();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var pool = new BufferPool(8192);
        using var adapter = PdProviderRegistry.Default.Get(provider).Bind(new PdAdapterOptions(external, PdRequirements.Default,
            AfXdp: new AfXdpAdapterOptions(external, ns), AfPacket: new AfPacketAdapterOptions(external, ns)));
        using (var sw = new BenchSwitch(adapter, pool, queueSize: 2048))
        {
            var policy = BenchPolicy.Make(rules);
            for (var i = 0; i < vms.Count; i++)
            {
                AdapterInfo.TryParseMac(vms[i][1], out var mac);
                var spec = new VmSpec(vms[i][0], mac, new PortIdentity(Guid.NewGuid().ToString("D").ToUpperInvariant(), "Network Adapter", "sw", i + 1, mac, vms[i][0], $"{vms[i][0]}--nic"));
                var address = vms[i][2];
                var link = sw.Attach(spec, new NamespaceVm(spec, ns, address), policy);
                Console.WriteLine($"port {spec.Name} {link.Provider}{(link.Fallback is null ? "" : $" ({link.Fallback})")}");
            }
            Console.WriteLine("ready");
            stop.Wait();
            Console.Error.WriteLine($"pd-bench vswitch-veth: stopping; the switch dropped {sw.Dropped} frames");
        }
        return 0;
    }
}
