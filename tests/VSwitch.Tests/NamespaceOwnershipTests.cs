using System.Collections.Concurrent;
using System.Diagnostics;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;
using PdCluster.Tests.Provider.Veth;
using PdCluster.VSwitch;
using PdCluster.VSwitch.Store;

namespace PdCluster.Tests.VSwitch;

/// <summary>
/// <c>pd vm start</c> through the store, the agent and the switch onto real network namespaces, with a <c>pdvm-</c>
/// namespace in the way: one pd did not create is refused and kept, with the start failing and the VM left off; one a
/// pd process that still runs has is refused too; a killed pd's leftover is removed, said, and the VM starts.
/// </summary>
public sealed class NamespaceOwnershipTests
{
    [VethFact]
    public async Task A_namespace_in_the_way_is_refused_unless_it_is_a_killed_pds_leftover()
    {
        HostPrerequisite.Require();
        using var pair = new VethPair();
        await using var lab = new SwitchLab([SwitchLab.Vm2Mac], startSwitch: false);
        await using var store = new InMemoryStore();
        var notes = new ConcurrentQueue<string>();
        var host = new NamespaceVmHost(pair.DeviceNamespace, _ => null, notes.Enqueue);
        var catalog = new VSwitchCatalog(store, "lab");
        await catalog.CreateSwitchAsync("sw", "eth", false, default);
        var agent = lab.System.ActorOf(VSwitchAgent.Props(new VSwitchAgentSettings(store, "lab", d => lab.Settings with { Name = d.Name, VmHost = host })), "vswitch-agent");
        var vm = $"own{Environment.ProcessId % 100000}";
        var ns = $"pdvm-{vm}";
        using var sleeper = Process.Start("sleep", "600");
        try
        {
            await catalog.AddAdapterAsync(vm, "sw", "00:15:5d:00:00:01", default);
            await SwitchLab.Until(async () => (await store.RangeAsync("/pd/lab/vswitch-status/")).Items.Any(i => i.Value.Contains("\"externalPorts\":[{\"switch\":\"sw\"", StringComparison.Ordinal)), "the agent running sw");

            // Someone else's namespace, with something in it: refused, kept as it was, the VM left off and listed crashed.
            Ip($"netns add {ns}");
            Ip($"-n {ns} link add keep0 type veth peer name keep1");
            var foreign = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.SetRunningAsync(vm, true, default));
            Assert.Equal($"VM {vm} did not start on switch sw: network namespace {ns} exists and pd did not create it; VM {vm} needs that name "
                + $"(remove it with ip netns del {ns}, or name the VM otherwise). VM {vm} is left off.", foreign.Message);
            Assert.Contains("keep0", VethPair.Run("ip", $"-n {ns} -o link show").Output);
            Assert.True((await catalog.ListPortsAsync(default)).Single(p => p.VmName == vm) is { Initialized: false });
            Assert.Contains(vm, (await Status(agent)).CrashedVms);

            // Marked by a pd process that still runs (the sleeper stands in for it): refused and kept as well.
            Directory.CreateDirectory(NamespaceClaim.Directory);
            File.WriteAllText(Path.Combine(NamespaceClaim.Directory, ns), $"{sleeper.Id} {StartTime(sleeper.Id)}");
            var running = await Assert.ThrowsAsync<VSwitchRefusedException>(() => catalog.SetRunningAsync(vm, true, default));
            Assert.Contains($"network namespace {ns} is VM {vm}'s in pd process {sleeper.Id}, which still runs", running.Message);
            Assert.Contains("keep0", VethPair.Run("ip", $"-n {ns} -o link show").Output);

            // Left by a pd process that has ended (killed before it stopped the VM): removed, said, and the VM starts.
            sleeper.Kill();
            await sleeper.WaitForExitAsync();
            await catalog.SetRunningAsync(vm, true, default);
            Assert.Contains($"removed network namespace {ns}, VM {vm}'s leftover from pd process {sleeper.Id}, which ended without stopping it.", notes);
            Assert.DoesNotContain("keep0", VethPair.Run("ip", $"-n {ns} -o link show").Output);
            Assert.Contains("link/ether 00:15:5d:00:00:01", VethPair.Run("ip", $"-n {ns} -o link show dev eth0").Output);
            Assert.True((await catalog.ListPortsAsync(default)).Single(p => p.VmName == vm) is { Initialized: true });
            Assert.DoesNotContain(vm, (await Status(agent)).CrashedVms);

            // A stop removes the namespace and its mark.
            await catalog.SetRunningAsync(vm, false, default);
            await SwitchLab.Until(() => Task.FromResult(!VethPair.Run("ip", "netns list").Output.Contains(ns)), "the VM's namespace removed");
            Assert.False(File.Exists(Path.Combine(NamespaceClaim.Directory, ns)));
        }
        finally
        {
            await agent.GracefulStop(TimeSpan.FromSeconds(20));
            if (!sleeper.HasExited)
                sleeper.Kill();
            VethPair.Run("ip", $"netns del {ns}");
            if (File.Exists(Path.Combine(NamespaceClaim.Directory, ns)))
                File.Delete(Path.Combine(NamespaceClaim.Directory, ns));
        }
    }

    private static async Task<SwitchStatus> Status(IActorRef agent) =>
        await agent.Ask<object>(new ToSwitch("sw", new GetSwitchStatus()), TimeSpan.FromSeconds(10)) as SwitchStatus ?? throw new Xunit.Sdk.XunitException("the agent runs no switch sw");

    /// <summary>Field 22 of <c>/proc/PID/stat</c>, the process's start time.</summary>
    private static string StartTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    private static void Ip(string arguments)
    {
        var (code, _, error) = VethPair.Run("ip", arguments);
        Assert.True(code == 0, $"ip {arguments}: {error}");
    }
}
