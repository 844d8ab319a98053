using System.Diagnostics;
using System.Text.Json;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Actors;

/// <summary>
/// The kernel objects an afxdp adapter holds on the device end of a veth pair, noted while it runs: its XDP program
/// and that program's BPF maps (bpftool), its AF_XDP sockets (this process's descriptors whose SO_DOMAIN is AF_XDP, by
/// socket inode: this kernel has no XDP socket diag for <c>ss --xdp</c>), its OS-path TAP (<c>ip link</c>) and its owner
/// record under /run/pd/xdp. <see cref="LeftBehind"/> names every one still there.
/// </summary>
internal sealed partial record KernelObjects(VethPair Veth, int IfIndex, string Program, IReadOnlyList<string> Maps, IReadOnlyList<string> Sockets, string Record)
{
    /// <summary>Notes the objects of the adapter running on <paramref name="veth"/>'s device end; each must exist.</summary>
    public static KernelObjects Of(VethPair veth)
    {
        var ifindex = (int)veth.Device.Run(() => PacketSender.IfIndex(veth.DeviceInterface));
        var link = Run("ip", $"-n {veth.DeviceNamespace} -d link show dev {veth.DeviceInterface}");
        var program = System.Text.RegularExpressions.Regex.Match(link, @"prog/xdp id (\d+)") is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"no XDP program on {veth.DeviceInterface}: {link}");
        using var info = JsonDocument.Parse(Run("bpftool", $"prog show id {program} -j"));
        var maps = info.RootElement.GetProperty("map_ids").EnumerateArray().Select(id => id.GetUInt32().ToString()).ToList();
        var netns = veth.Device.Run(() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!)[5..^1];
        var objects = new KernelObjects(veth, ifindex, program, maps, XdpSockets(), $"/run/pd/xdp/{netns}-{ifindex}");
        var present = objects.LeftBehind();
        if (present.Count != 4 + maps.Count + objects.Sockets.Count || objects.Sockets.Count == 0)
            throw new InvalidOperationException($"the running adapter should hold a program, its {maps.Count} maps, AF_XDP sockets, a TAP and an owner record; found {string.Join(", ", present)}");
        return objects;
    }

    /// <summary>Every noted object still there, named.</summary>
    public IReadOnlyList<string> LeftBehind()
    {
        var left = new List<string>();
        if (Execute("ip", $"-n {Veth.DeviceNamespace} -d link show dev {Veth.DeviceInterface}").Output.Contains($"prog/xdp id {Program} ", StringComparison.Ordinal))
            left.Add($"XDP program {Program} attached to {Veth.DeviceInterface}");
        if (Succeeds("bpftool", $"prog show id {Program}"))
            left.Add($"XDP program {Program}");
        left.AddRange(Maps.Where(id => Succeeds("bpftool", $"map show id {id}")).Select(id => $"BPF map {id}"));
        left.AddRange(OpenSockets().Intersect(Sockets).Select(socket => $"AF_XDP {socket}"));
        if (Succeeds("ip", $"-n {Veth.DeviceNamespace} link show dev pdos{IfIndex}"))
            left.Add($"TAP pdos{IfIndex}");
        if (File.Exists(Record))
            left.Add($"owner record {Record}");
        return left;
    }

    private const int AfXdp = 44;
    private const int SolSocket = 1;
    private const int SoDomain = 39;

    /// <summary>This process's open sockets as <c>socket:[INODE]</c>, by descriptor.</summary>
    private static IEnumerable<(int Fd, string Socket)> OpenSocketDescriptors() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(f => (Fd: int.Parse(f.Name), Target: f.LinkTarget))
            .Where(f => f.Target?.StartsWith("socket:", StringComparison.Ordinal) == true)
            .Select(f => (f.Fd, f.Target!));

    private static IEnumerable<string> OpenSockets() => OpenSocketDescriptors().Select(s => s.Socket);

    /// <summary>This process's AF_XDP sockets now.</summary>
    private static List<string> XdpSockets() =>
        [.. OpenSocketDescriptors().Where(s => { var length = 4u; return getsockopt(s.Fd, SolSocket, SoDomain, out var domain, ref length) == 0 && domain == AfXdp; }).Select(s => s.Socket)];

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial int getsockopt(int fd, int level, int name, out int value, ref uint length);

    private static bool Succeeds(string file, string arguments) => Execute(file, arguments).Code == 0;

    private static string Run(string file, string arguments)
    {
        var (code, output, error) = Execute(file, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"{file} {arguments} failed ({code}): {error.Trim()}");
    }

    private static (int Code, string Output, string Error) Execute(string file, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error);
    }
}
