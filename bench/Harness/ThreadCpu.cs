using System.Diagnostics;

namespace PdCluster.Bench;

/// <summary>
/// The CPU time of some of this process's threads, found by name and read from Linux's <c>/proc/self/task</c>:
/// nanoseconds on a core from <c>schedstat</c>, or user + system ticks from <c>stat</c> where that is missing.
/// </summary>
internal sealed class ThreadCpu
{
    private readonly string[] _tasks;

    private ThreadCpu(string[] tasks) => _tasks = tasks;

    /// <summary>How many threads are watched.</summary>
    public int Threads => _tasks.Length;

    /// <summary>
    /// The <paramref name="count"/> threads whose name starts with <paramref name="name"/> as the kernel keeps it
    /// (its first 15 bytes), waiting up to 10 s for exactly that many (threads of an earlier run may still be
    /// ending); null where there is no <c>/proc/self/task</c>.
    /// </summary>
    public static ThreadCpu? Find(string name, int count)
    {
        if (!Directory.Exists("/proc/self/task"))
            return null;
        var comm = name.Length > 15 ? name[..15] : name;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var tasks = Directory.GetDirectories("/proc/self/task").Where(t => Read(Path.Combine(t, "comm"))?.TrimEnd('\n') == comm).ToArray();
            if (tasks.Length == count)
                return new ThreadCpu(tasks);
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
                throw new InvalidOperationException($"Expected {count} threads named '{comm}', found {tasks.Length}.");
            Thread.Sleep(10);
        }
    }

    /// <summary>The watched threads' CPU time per thread, as a percentage of one core, over <paramref name="window"/>.</summary>
    public double PercentPerThread(TimeSpan window)
    {
        var before = Used();
        var clock = Stopwatch.StartNew();
        Thread.Sleep(window);
        var used = Used() - before;
        return Math.Round(used.TotalSeconds / clock.Elapsed.TotalSeconds / _tasks.Length * 100, 2);
    }

    /// <summary>CPU time the watched threads have used so far, together.</summary>
    public TimeSpan Used()
    {
        var total = TimeSpan.Zero;
        foreach (var task in _tasks)
        {
            // schedstat: "<ns on a core> <ns waiting for one> <slices>".
            if (Read(Path.Combine(task, "schedstat")) is { } schedstat && long.TryParse(schedstat.Split(' ')[0], out var nanoseconds))
            {
                total += TimeSpan.FromTicks(nanoseconds / 100);
                continue;
            }
            // stat: fields 14 and 15 (utime, stime) in clock ticks of 10 ms, after the name in parentheses.
            var stat = Read(Path.Combine(task, "stat")) ?? throw new InvalidOperationException($"{task} ended while watched.");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += TimeSpan.FromMilliseconds((long.Parse(fields[11]) + long.Parse(fields[12])) * 10);
        }
        return total;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
