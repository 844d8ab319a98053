using System.Diagnostics;
using System.Text.Json;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Node;

/// <summary>A real <c>pd</c> node on an afxdp veth killed with SIGKILL leaves its XDP program attached; the next node recognises it as its own leftover, detaches it and runs.</summary>
public sealed class XdpLeftoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [VethFact]
    public async Task A_node_killed_with_sigkill_leaves_its_program_and_the_next_node_takes_the_interface_back()
    {
        HostPrerequisite.Require();
        using var veth = new VethPair();
        using var config = TempConfig.AfXdp($"\"interface\": \"{veth.DeviceInterface}\", \"namespace\": \"{veth.DeviceNamespace}\", \"queues\": 1, \"queueSize\": 256, \"buffers\": 1024");

        using (var killed = NodeProcessTests.Start("node", "run", "--config", config.Path, "-o", "json"))
        {
            try
            {
                await ExpectRunning(killed);
            }
            finally
            {
                killed.Kill();
                await killed.WaitForExitAsync();
            }
        }
        var leftover = XdpProgram(veth);
        Assert.True(leftover is not null, "the killed node's program stays attached");

        using var next = NodeProcessTests.Start("node", "run", "--config", config.Path, "-o", "json");
        try
        {
            await ExpectRunning(next);
            var attached = XdpProgram(veth);
            Assert.NotNull(attached);
            Assert.NotEqual(leftover, attached);
            await NodeProcessTests.Signal(next, "TERM");
            await next.WaitForExitAsync().WaitAsync(Timeout);
            Assert.Equal(0, next.ExitCode);
            // libbpf's and libxdp's own lines (the dispatcher that cannot load here, and the like) stay off stderr.
            var stderr = await next.StandardError.ReadToEndAsync();
            Assert.DoesNotContain("libbpf:", stderr);
            Assert.DoesNotContain("libxdp:", stderr);
        }
        finally
        {
            if (!next.HasExited)
                next.Kill(entireProcessTree: true);
        }
        Assert.Null(XdpProgram(veth));
    }

    /// <summary>Reads the node's JSON reports until its queue runs; fails with what the node said otherwise.</summary>
    private static async Task ExpectRunning(Process node)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            var line = await node.StandardOutput.ReadLineAsync().WaitAsync(deadline - DateTime.UtcNow);
            if (line is null)
                break;
            seen.Add(line);
            using var report = JsonDocument.Parse(line);
            // A real interface has no lab generator: the report says nothing of one.
            Assert.False(report.RootElement.TryGetProperty("generator_sent", out _), line);
            if (report.RootElement.GetProperty("queues").EnumerateArray().Any(q => q.GetProperty("state").GetString() == "Running"))
                return;
        }
        node.Kill();
        Assert.Fail($"the node's queue never ran; stdout: {string.Join('\n', seen)}; stderr: {await node.StandardError.ReadToEndAsync()}");
    }

    /// <summary>The id of the XDP program on the device end, from <c>ip -d link show</c>, or null when none is attached.</summary>
    private static string? XdpProgram(VethPair veth)
    {
        using var p = Process.Start(new ProcessStartInfo("ip", $"-n {veth.DeviceNamespace} -d link show dev {veth.DeviceInterface}") { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var match = System.Text.RegularExpressions.Regex.Match(output, @"prog/xdp id (\d+)");
        return match.Success ? match.Groups[1].Value : null;
    }
}
