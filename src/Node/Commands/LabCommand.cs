using System.CommandLine;
using System.Diagnostics;

namespace PdCluster.Node.Commands;

/// <summary>
/// <c>pd lab up|down|status</c>: the multi-host lab, by running <c>lab.sh</c> (shipped beside pd as <c>lab/lab.sh</c>)
/// with this pd as the nodes' pd. The script's other commands (push-filter, traffic, pull-nic, ...) are run as the script.
/// </summary>
internal static class LabCommand
{
    private static string Script => Path.Combine(AppContext.BaseDirectory, "lab", "lab.sh");

    public static Command Create()
    {
        var hosts = new Option<string>("--hosts") { Description = "Hosts to build, 1 to 8 (default 3)." };
        var team = new Option<bool>("--team") { Description = "The last host has two NICs in a team instead of one." };
        var vswitch = new Option<bool>("--vswitch") { Description = "Host h1 has a second NIC, adapter pd1, for a VM switch." };
        // Options lab.sh has and this command does not list go to the script as given: it is the one that knows them.
        var up = new Command("up", "Build the lab: a namespace per host with a pd node on afxdp, a generator, 3 etcd members with TLS and auth.")
        {
            hosts, team, vswitch,
        };
        up.TreatUnmatchedTokensAsErrors = false;
        up.SetAction((result, cancel) => RunAsync(
            ["up", .. result.GetValue(hosts) is { } n ? ["--hosts", n] : Array.Empty<string>(), .. result.GetValue(team) ? ["--team"] : Array.Empty<string>(),
                .. result.GetValue(vswitch) ? ["--vswitch"] : Array.Empty<string>(), .. result.UnmatchedTokens], cancel));

        var keepLogs = new Option<bool>("--keep-logs") { Description = "Keep the nodes' and etcd members' logs in the state directory." };
        var down = new Command("down", "Stop everything the lab started and remove all it made.") { keepLogs };
        down.TreatUnmatchedTokensAsErrors = false;
        down.SetAction((result, cancel) => RunAsync(["down", .. result.GetValue(keepLogs) ? ["--keep-logs"] : Array.Empty<string>(), .. result.UnmatchedTokens], cancel));

        var status = new Command("status", "The lab's processes, its nodes (pd node ls) and the etcd members' health.");
        status.SetAction((_, cancel) => RunAsync(["status"], cancel));

        return new Command("lab", $"The multi-host lab on this machine (root; runs {Script}).") { up, down, status };
    }

    private static async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        if (!File.Exists(Script))
            return CommonOptions.Failure($"{Script} is missing: this pd was built without the lab script.");
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.Environment["PD_DLL"] = Path.Combine(AppContext.BaseDirectory, "pd.dll");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash did not start");
        await process.WaitForExitAsync(cancel);
        return process.ExitCode;
    }
}
