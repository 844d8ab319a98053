using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace PdCluster.Tests.Node.Lab;

/// <summary>
/// Runs <c>cluster-config/lab/lab.sh</c> for one test: its own namespace prefix and state directory (both carry this
/// process's id, so the classes that use it share <see cref="Collection"/>), and the test build's <c>pd.dll</c>, so the
/// script builds nothing.
/// </summary>
internal sealed class LabScript(ITestOutputHelper output)
{
    /// <summary>The test collection of every class that runs a lab: one at a time, as the prefix and state directory are the process's.</summary>
    public const string Collection = "multi-host lab";

    private static readonly string Script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../cluster-config/lab/lab.sh"));

    /// <summary>The namespaces' prefix, <c>PREFIX-h1</c> and so on.</summary>
    public string Prefix { get; } = $"pdlabt{Environment.ProcessId}";

    /// <summary>The lab's state directory.</summary>
    public string State { get; } = $"/run/pd-lab-test-{Environment.ProcessId}";

    /// <summary>Everything the script wrote to standard output and standard error so far.</summary>
    public string Transcript => _transcript.ToString();

    private readonly System.Text.StringBuilder _transcript = new();

    /// <summary>Runs <c>lab.sh ARGS</c> and returns its standard output; a non-zero exit fails the test with both streams.</summary>
    public string Run(params string[] args)
    {
        var (code, stdout, stderr) = TryRun(args);
        Assert.True(code == 0, $"lab.sh {string.Join(' ', args)} exited {code}:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Runs <c>lab.sh ARGS</c> (at most 120 s) and returns its exit code and both streams.</summary>
    public (int Code, string Output, string Error) TryRun(params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        info.Environment["LAB_PREFIX"] = Prefix;
        info.Environment["LAB_STATE"] = State;
        info.Environment["PD_DLL"] = Path.Combine(AppContext.BaseDirectory, "pd.dll");
        var started = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"lab.sh {string.Join(' ', args)} did not finish within 120 s");
        }
        process.WaitForExit();
        var result = (process.ExitCode, stdout.Result, stderr.Result);
        output.WriteLine($"lab.sh {string.Join(' ', args)} ({started.Elapsed.TotalSeconds:0.0} s, exit {result.ExitCode})\n{result.Item2}{result.Item3}");
        _transcript.Append(result.Item2).Append(result.Item3);
        return result;
    }

    /// <summary><c>pd node ls -o json</c> inside host <paramref name="host"/>.</summary>
    public JsonElement NodeList(string host = "h1") => JsonDocument.Parse(Run("pd", host, "node", "ls", "-o", "json")).RootElement.Clone();

    /// <summary>The start of host <paramref name="host"/>'s XDP owner record names: its network namespace's inode and a dash.</summary>
    public string XdpRecordPrefix(string host)
    {
        var link = Run("exec", host, "readlink", "/proc/self/ns/net").Trim();
        Assert.Matches(@"^net:\[\d+\]$", link);
        return link[5..^1] + "-";
    }

    /// <summary>Whether <paramref name="pid"/> is still a process the lab started (its command line names the state directory).</summary>
    public bool IsOurs(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(State, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Everything under bpffs now.</summary>
    public static HashSet<string> BpfFsEntries() =>
        Directory.Exists("/sys/fs/bpf") ? Directory.GetFileSystemEntries("/sys/fs/bpf", "*", SearchOption.AllDirectories).ToHashSet() : [];

    /// <summary>Waits up to 20 s for <paramref name="condition"/>, failing the test with <paramref name="what"/> when it never holds.</summary>
    public static void Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(200);
        }
    }

    /// <summary>The lab's namespaces that exist now, by name.</summary>
    public IReadOnlyList<string> Namespaces() =>
        Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns", $"{Prefix}-*").Select(f => Path.GetFileName(f)).ToList() : [];
}
