using System.Globalization;

namespace PdCluster.VSwitch;

/// <summary>
/// The mark a pd process leaves on a network namespace it creates for a VM: a file under <see cref="Directory"/> named
/// after the namespace, holding the process's id and start time. A namespace with no mark is someone else's; one whose
/// marking process has ended (killed before it could stop its VMs) is a leftover that pd may remove.
/// </summary>
public static class NamespaceClaim
{
    /// <summary>Where the marks live (a tmpfs, like <c>/run/netns</c>: both go at reboot).</summary>
    public const string Directory = "/run/pd/netns";

    /// <summary>Whose a namespace is.</summary>
    public enum Owner
    {
        /// <summary>Not marked: pd did not create it.</summary>
        Unmarked,

        /// <summary>Marked by a pd process that still runs (this one or another).</summary>
        Running,

        /// <summary>Marked by a pd process that has ended: a leftover.</summary>
        Ended,
    }

    /// <summary>Marks <paramref name="name"/> as this process's.</summary>
    public static void Mark(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(PathOf(name), Identity(Environment.ProcessId) ?? "");
    }

    /// <summary>Removes the mark of <paramref name="name"/>.</summary>
    public static void Unmark(string name)
    {
        if (File.Exists(PathOf(name)))
            File.Delete(PathOf(name));
    }

    /// <summary>Whose namespace <paramref name="name"/> is, by its mark; <paramref name="process"/> is the marking process's id (0 when unmarked).</summary>
    public static Owner OwnerOf(string name, out int process)
    {
        process = 0;
        string mark;
        try
        {
            mark = File.ReadAllText(PathOf(name));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Owner.Unmarked;
        }
        var pid = mark.Split(' ')[0];
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out process))
            return Owner.Unmarked;
        return Identity(process) == mark ? Owner.Running : Owner.Ended;
    }

    private static string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A process's id and start time (field 22 of <c>/proc/PID/stat</c>), which no later process with the same id shares; null when it does not run.</summary>
    private static string? Identity(int process)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{process}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return $"{process} {fields[19]}";
    }
}
