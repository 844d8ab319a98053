using System.Diagnostics;
using PdCluster.Nic.Adapters;
using PdCluster.Nic.Requirements;
using PdCluster.Provider;
using PdCluster.Provider.AfPacket;
using PdCluster.Provider.AfXdp;

namespace PdCluster.VSwitch;

/// <summary>
/// A VM on Linux: a network namespace of its own (a prefix, <see cref="DefaultNamespacePrefix"/> unless the host says
/// otherwise, and the VM's name) whose <c>eth0</c> is one end of a veth pair, up with the adapter's
/// static MAC (and an address, when given); the other end, in the switch host's namespace, is the switch's side of the
/// VM's interface, opened with the <c>afxdp</c> provider (veth takes the XDP program natively; AF_XDP in copy mode), or
/// with <c>afpacket</c> where AF_XDP does not open. Disposing deletes the namespace, and the veth pair with it.
/// A namespace of the VM's name that pd did not create (see <see cref="NamespaceClaim"/>) is refused and left alone; one
/// a pd process left behind when it was killed is removed first, and <see cref="Reclaimed"/> says so.
/// </summary>
public sealed class NamespaceVm : IVm
{
    /// <summary>The interface inside the VM's namespace.</summary>
    public const string VmInterface = "eth0";

    /// <summary>What a VM's namespace name starts with when the host names no other prefix.</summary>
    public const string DefaultNamespacePrefix = "pdvm-";

    /// <summary>What a namespace prefix is, as errors and the README say it.</summary>
    public const string NamespacePrefixRule = "1 to 32 characters of A-Z, a-z, 0-9, '.', '_' and '-', the first a letter or digit";

    /// <summary>
    /// The host end's name: <c>pdv</c> and ten hex digits of a hash of the namespace's name, 13 characters whatever the
    /// prefix and VM name, within the kernel's IFNAMSIZ (15 characters and the terminating NUL).
    /// </summary>
    public static string HostInterfaceOf(string vmNamespace) =>
        $"pdv{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(vmNamespace)))[..10]}";

    /// <summary>Whether <paramref name="prefix"/> can start VMs' namespace names (see <see cref="NamespacePrefixRule"/>).</summary>
    public static bool IsNamespacePrefix(string prefix) =>
        prefix.Length is >= 1 and <= 32 && char.IsAsciiLetterOrDigit(prefix[0]) && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private readonly string? _hostNamespace;
    private readonly bool _created;
    private PdAdapter? _port;

    /// <summary>
    /// Starts the VM <paramref name="spec"/> names in namespace <paramref name="namespacePrefix"/> and its name, its host
    /// end in <paramref name="hostNamespace"/> (null: this process's), <paramref name="address"/> (CIDR) on its interface.
    /// </summary>
    public NamespaceVm(VmSpec spec, string? hostNamespace, string? address, string namespacePrefix = DefaultNamespacePrefix)
    {
        Name = spec.Name;
        _hostNamespace = hostNamespace;
        Namespace = namespacePrefix + spec.Name;
        HostInterface = HostInterfaceOf(Namespace);
        Reclaimed = ClaimName();
        Ip($"netns add {Namespace}");
        _created = true;
        try
        {
            NamespaceClaim.Mark(Namespace);
            Ip($"{InHost}link add {HostInterface} type veth peer name {VmInterface} netns {Namespace}");
            Ip($"-n {Namespace} link set {VmInterface} address {AdapterInfo.FormatMac(spec.Mac)}");
            Ip($"-n {Namespace} link set lo up");
            Ip($"-n {Namespace} link set {VmInterface} up");
            if (address is not null)
                Ip($"-n {Namespace} addr add {address} dev {VmInterface}");
            Ip($"{InHost}link set {HostInterface} up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>What starting the VM cleaned up first (a namespace of its name that a killed pd process left), or null.</summary>
    public string? Reclaimed { get; }

    /// <summary>The VM's network namespace.</summary>
    public string Namespace { get; }

    /// <summary>The host's end of the VM's veth pair.</summary>
    public string HostInterface { get; }

    private string InHost => _hostNamespace is null ? "" : $"-n {_hostNamespace} ";

    /// <inheritdoc/>
    public IReadOnlyList<string> PortProviders { get; } = ["afxdp", "afpacket"];

    /// <inheritdoc/>
    /// <remarks>Binding a provider lets go of the one bound before, which a port that did not open leaves behind.</remarks>
    public IPdProvider OpenPort(string provider)
    {
        _port?.Dispose();
        _port = null;
        _port = PdProviderRegistry.Default.Get(provider).Bind(new PdAdapterOptions(HostInterface, PdRequirements.Default,
            AfXdp: new AfXdpAdapterOptions(HostInterface, _hostNamespace), AfPacket: new AfPacketAdapterOptions(HostInterface, _hostNamespace)));
        return _port.OpenProvider();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The pair goes first, by its host end: that deletion frees the host end's name before it returns, while a deleted
    /// namespace's devices go later, in the kernel's deferred cleanup, and a VM started again at once needs the name.
    /// </remarks>
    public void Dispose()
    {
        _port?.Dispose();
        _port = null;
        if (!_created)
            return;
        Run($"{InHost}link del {HostInterface}");
        Run($"netns del {Namespace}");
        NamespaceClaim.Unmark(Namespace);
    }

    /// <summary>
    /// Makes the VM's namespace name free to create: an existing namespace that pd did not make, or that a running pd
    /// process has, is refused (and left as it is); one whose pd process has ended is deleted, and that is said.
    /// </summary>
    private string? ClaimName()
    {
        if (!File.Exists(Path.Combine("/run/netns", Namespace)))
            return null;
        var owner = NamespaceClaim.OwnerOf(Namespace, out var process);
        if (owner == NamespaceClaim.Owner.Unmarked)
            throw new IOException($"network namespace {Namespace} exists and pd did not create it; VM {Name} needs that name (remove it with ip netns del {Namespace}, or name the VM otherwise).");
        if (owner == NamespaceClaim.Owner.Running)
            throw new IOException($"network namespace {Namespace} is VM {Name}'s in pd process {process}, which still runs (two nodes on this host run a VM of that name).");
        Ip($"netns del {Namespace}");
        NamespaceClaim.Unmark(Namespace);
        return $"removed network namespace {Namespace}, VM {Name}'s leftover from pd process {process}, which ended without stopping it.";
    }

    private static void Ip(string arguments)
    {
        var (code, error) = Run(arguments);
        if (code != 0)
            throw new IOException($"ip {arguments}: {error.Trim()}");
    }

    private static (int Code, string Error) Run(string arguments)
    {
        var info = new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new IOException("ip could not be started.");
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
