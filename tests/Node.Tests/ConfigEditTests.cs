using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;

namespace PdCluster.Tests.Node;

/// <summary><c>pd adapter enable-pd / disable-pd</c> edit the user's file in place and atomically.</summary>
[Collection(ConsoleCapture.Collection)]
public sealed class ConfigEditTests
{
    private static (int Exit, string Output, string Error) Pd(params string[] args) =>
        ConsoleCapture.Run(() => AdapterCommands.Create().Parse(args).Invoke());

    /// <summary>A config as a person writes one: comments, aligned colons, one adapter on a line, trailing commas, non-ASCII.</summary>
    private static string HandWritten(int port, string newline) => string.Join(newline,
        "// Lab node: hand-edited, keep the comments.",
        "{",
        "  \"node\":    \"nöde\",          /* a name with an umlaut */",
        $"  \"admin\": {{ \"listen\": \"127.0.0.1:{port}\" }},",
        "  \"adapters\": [",
        "    // the first port stays as it is",
        "    {\"name\":\"pd0\",\"pd\":false, \"queues\": 2, \"queueSize\": 256, \"buffers\": 2048},",
        "    {",
        "        \"name\" : \"pd1\",",
        "        \"pd\"   : true,   // switched by enable-pd / disable-pd",
        "        \"queues\": 2, \"queueSize\": 256, \"buffers\": 2048,",
        "    },",
        "  ],",
        "}",
        "");

    [Theory]
    [InlineData("\n", false)]
    [InlineData("\r\n", true)]
    public void A_hand_formatted_config_keeps_every_byte_but_the_changed_value(string newline, bool bom)
    {
        using var config = new TempConfig();
        var text = HandWritten(config.Port, newline);
        byte[] original = [.. bom ? [0xEF, 0xBB, 0xBF] : Array.Empty<byte>(), .. Encoding.UTF8.GetBytes(text)];
        File.WriteAllBytes(config.Path, original);

        var (exit, output, _) = Pd("disable-pd", "pd1", "--config", config.Path);

        Assert.Equal(0, exit);
        Assert.Equal($"PacketDirect disabled on pd1 in {config.Path}", output.Trim());
        var expected = original[..(bom ? 3 : 0)].Concat(Encoding.UTF8.GetBytes(text.Replace("\"pd\"   : true", "\"pd\"   : false"))).ToArray();
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(File.ReadAllBytes(config.Path)));
        Assert.Equal(expected, File.ReadAllBytes(config.Path));
        var loaded = NodeConfigLoader.Load(config.Path).Config;
        Assert.Equal("nöde", loaded.Node);
        Assert.Equal([false, false], loaded.Adapters.Select(a => a.Pd));
        Assert.Equal([Path.GetFileName(config.Path)], Directory.GetFileSystemEntries(config.Directory).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(
        "{\r\n  \"adapters\": [\r\n    {\r\n      \"name\": \"pd0\",  // the port\r\n      \"queues\": 2\r\n    }\r\n  ]\r\n}\r\n",
        "{\r\n  \"adapters\": [\r\n    {\r\n      \"name\": \"pd0\",  // the port\r\n      \"pd\": false,\r\n      \"queues\": 2\r\n    }\r\n  ]\r\n}\r\n")]
    [InlineData(
        "{ \"adapters\": [ { \"name\": \"pd0\", \"queues\": 2 } ] }",
        "{ \"adapters\": [ { \"name\": \"pd0\", \"pd\": false, \"queues\": 2 } ] }")]
    [InlineData(
        "{\"adapters\":[{\"queues\":2,\"name\":\"pd0\"}]}",
        "{\"adapters\":[{\"queues\":2,\"name\":\"pd0\",\"pd\":false}]}")]
    [InlineData(
        "{\n  \"adapters\": [\n    {\n      \"queues\": 2,\n      \"name\" : \"pd0\"\n    }\n  ]\n}\n",
        "{\n  \"adapters\": [\n    {\n      \"queues\": 2,\n      \"name\" : \"pd0\",\n      \"pd\" : false\n    }\n  ]\n}\n")]
    [InlineData(
        "{ \"adapters\": [ { \"name\": \"pd9\" }, { \"name\": \"pd0\", /* no pd yet */ \"queues\": 2, }, ], }",
        "{ \"adapters\": [ { \"name\": \"pd9\" }, { \"name\": \"pd0\", /* no pd yet */ \"pd\": false, \"queues\": 2, }, ], }")]
    public void A_missing_pd_is_inserted_after_the_name_in_the_adapter_s_own_style(string before, string after)
    {
        var edited = NodeConfigEdit.SetPd(Encoding.UTF8.GetBytes(before), "pd0", enabled: false, "node.json");
        Assert.Equal(after, Encoding.UTF8.GetString(edited!));
    }

    [Fact]
    public void Edits_at_the_same_time_each_take_effect()
    {
        var names = Enumerable.Range(0, 8).Select(i => $"pd{i}").ToArray();
        using var config = new TempConfig(string.Join(",", names.Select(n => TempConfig.Adapter(n, "\"pd\": false,"))));
        using var start = new Barrier(names.Length);

        Parallel.ForEach(names, new ParallelOptions { MaxDegreeOfParallelism = names.Length }, name =>
        {
            start.SignalAndWait();
            Assert.True(NodeConfigEdit.SetPd(config.Path, name, true));
        });

        Assert.All(NodeConfigLoader.Load(config.Path).Config.Adapters, a => Assert.True(a.Pd, $"{a.Name} lost its edit"));
    }

    [Fact]
    public void A_value_that_is_already_right_leaves_the_file_alone()
    {
        using var config = new TempConfig();
        var written = File.GetLastWriteTimeUtc(config.Path).AddHours(-1);
        File.WriteAllText(config.Path, File.ReadAllText(config.Path).Replace("\"name\": \"pd0\",", "\"name\": \"pd0\", \"pd\": true,"));
        File.SetLastWriteTimeUtc(config.Path, written);
        var before = File.ReadAllBytes(config.Path);

        var (exit, output, _) = Pd("enable-pd", "pd0", "--config", config.Path);

        Assert.Equal(0, exit);
        Assert.Equal($"PacketDirect was already enabled on pd0 in {config.Path}; the file is unchanged", output.Trim());
        Assert.Equal(before, File.ReadAllBytes(config.Path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(config.Path));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void The_file_keeps_its_permissions_and_a_symbolic_link_keeps_pointing_at_it()
    {
        using var config = new TempConfig();
        File.SetUnixFileMode(config.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var link = Path.Combine(config.Directory, "link.json");
        File.CreateSymbolicLink(link, config.Path);

        Assert.Equal(0, Pd("disable-pd", "pd0", "--config", link).Exit);

        Assert.Equal(config.Path, new FileInfo(link).LinkTarget);
        Assert.False(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config.Path));
    }

    public static TheoryData<string, Func<string, UnixFileMode?, FileStream>> WriteFailures => new()
    {
        { "No space left on device", (path, _) => new FailingFileStream(path, room: 40) },
        { "No space left on device", (path, _) => new FailingFileStream(path, room: 0) },
        { "Read-only file system", (path, _) => throw new IOException($"Read-only file system : '{path}'") },
        { "is denied", (path, _) => throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.") },
    };

    [Theory]
    [MemberData(nameof(WriteFailures))]
    public void A_write_that_fails_leaves_the_original_intact_and_says_why(string reason, Func<string, UnixFileMode?, FileStream> createTemp)
    {
        using var config = new TempConfig();
        var before = File.ReadAllBytes(config.Path);

        var e = Assert.Throws<ConfigException>(() => NodeConfigEdit.SetPd(config.Path, "pd0", enabled: false, createTemp));

        Assert.StartsWith($"{config.Path}: cannot write the change (", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.EndsWith("); the file is unchanged.", e.Message);
        Assert.Equal(before, File.ReadAllBytes(config.Path));
        Assert.Equal([Path.GetFileName(config.Path)], Directory.GetFileSystemEntries(config.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_config_that_cannot_be_edited_gives_exit_code_2_and_a_reason()
    {
        using var config = new TempConfig();
        string Error(string path) => Pd("enable-pd", "pd0", "--config", path) is { Exit: 2 } run ? run.Error.Trim() : "exit code was not 2";
        string Write(string name, string text)
        {
            var path = Path.Combine(config.Directory, name);
            File.WriteAllText(path, text);
            return path;
        }

        Assert.Equal($"pd: {config.Directory}: is a directory, not a configuration file.", Error(config.Directory));
        var missing = Path.Combine(config.Directory, "gone", "node.json");
        Assert.Equal($"pd: {missing}: no such file.", Error(missing));
        var nullAdapters = Write("null.json", "{ \"node\": \"n\", \"adapters\": null }");
        Assert.Equal($"pd: {nullAdapters}: adapters: must be a list of adapters (it is null).", Error(nullAdapters));
        var noAdapters = Write("none.json", "{ \"node\": \"n\" }");
        Assert.Equal($"pd: {noAdapters}: adapters: missing; there is no adapter to change.", Error(noAdapters));
        var notAnObject = Write("list.json", "[ { \"name\": \"pd0\" } ]");
        Assert.Equal($"pd: {notAnObject}: the file must hold one JSON object (it starts with a list).", Error(notAnObject));
        var broken = Write("broken.json", "{ \"adapters\": [ { \"name\": \"pd0\", } ");
        Assert.StartsWith($"pd: {broken}: line 1, column ", Error(broken));
        var stringAdapter = Write("string.json", "{ \"adapters\": [ \"pd0\" ] }");
        Assert.Equal($"pd: {stringAdapter}: adapters[0]: must be an object (it is a string).", Error(stringAdapter));
        Assert.Equal($"pd: {config.Path}: no adapter named 'nope' (configured: pd0).", Pd("enable-pd", "nope", "--config", config.Path).Error.Trim());
    }

    /// <summary>Runs <paramref name="program"/> to its end: its exit code, standard output and standard error.</summary>
    private static (int Exit, string Output, string Error) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{program} did not end within 60 s");
        return (process.ExitCode, output.Result, error);
    }

    /// <summary>Owner, group and permissions of <paramref name="path"/> as stat(1) prints them: <c>1234:1234:640</c>.</summary>
    private static string Ownership(string path) => Run("stat", "-c", "%u:%g:%a", path).Output.Trim();

    private static void Chown(string path, int uid, int gid) => Assert.Equal(0, Run("chown", $"{uid}:{gid}", path).Exit);

    /// <summary>The real <c>pd</c> run as user and group <paramref name="uid"/> with no other groups (setpriv(1)).</summary>
    private static (int Exit, string Output, string Error) PdAs(int uid, string home, params string[] args) =>
        Run("setpriv", [$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "env", $"HOME={home}", "dotnet", Path.Combine(AppContext.BaseDirectory, "pd.dll"), .. args]);

    [RootFact]
    [UnsupportedOSPlatform("windows")]
    public void Run_as_root_the_edit_keeps_the_file_s_owner_group_and_mode()
    {
        Assert.True(RootFactAttribute.IsRoot, "CI runs the tests as root; this one gives files away");
        using var config = new TempConfig();
        Chown(config.Path, 1234, 1234);
        File.SetUnixFileMode(config.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Assert.Equal(0, Pd("disable-pd", "pd0", "--config", config.Path).Exit);
        Assert.Equal(0, Pd("enable-pd", "pd0", "--config", config.Path).Exit);
        Assert.Equal(0, Pd("disable-pd", "pd0", "--config", config.Path).Exit);

        Assert.False(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        Assert.Equal("1234:1234:640", Ownership(config.Path));
        Assert.Equal([Path.GetFileName(config.Path)], Directory.GetFileSystemEntries(config.Directory).Select(Path.GetFileName));
    }

    [RootFact]
    [UnsupportedOSPlatform("windows")]
    public void A_user_who_may_not_give_the_file_away_gets_exit_2_and_the_file_unchanged()
    {
        Assert.True(RootFactAttribute.IsRoot, "CI runs the tests as root; this one runs pd as other users");
        using var config = new TempConfig();
        File.SetUnixFileMode(config.Directory, (UnixFileMode)Convert.ToInt32("777", 8));
        File.SetUnixFileMode(config.Path, (UnixFileMode)Convert.ToInt32("666", 8));
        Chown(config.Path, 1235, 1235);
        var before = File.ReadAllBytes(config.Path);

        var refused = PdAs(1234, config.Directory, "adapter", "disable-pd", "pd0", "--config", config.Path);

        Assert.Equal(2, refused.Exit);
        Assert.Equal($"pd: {config.Path}: cannot write the change (the new file cannot be given the original's owner and group (uid 1235, gid 1235): "
            + "Operation not permitted; run the command as that user or as root); the file is unchanged.", refused.Error.Trim());
        Assert.Equal(before, File.ReadAllBytes(config.Path));
        Assert.Equal("1235:1235:666", Ownership(config.Path));
        Assert.Equal([Path.GetFileName(config.Path)], Directory.GetFileSystemEntries(config.Directory).Select(Path.GetFileName));

        // Its own file that user may edit: the new file has the owner already, nothing is given away.
        Chown(config.Path, 1234, 1234);
        var allowed = PdAs(1234, config.Directory, "adapter", "disable-pd", "pd0", "--config", config.Path);
        Assert.Equal((0, ""), (allowed.Exit, allowed.Error));
        Assert.False(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        Assert.Equal("1234:1234:666", Ownership(config.Path));
    }

    [Fact]
    public void A_temporary_file_left_by_a_killed_edit_is_removed_by_the_next_one_and_a_live_one_s_is_kept()
    {
        using var config = new TempConfig();
        using var dead = Process.Start("true")!;
        dead.WaitForExit();
        using var live = Process.Start("sleep", "60")!;
        try
        {
            var stale = AtomicFile.TempName(config.Path, dead.Id);
            var working = AtomicFile.TempName(config.Path, live.Id);
            var other = AtomicFile.TempName(Path.Combine(config.Directory, "other.json"), dead.Id);
            foreach (var planted in new[] { stale, working, other })
                File.WriteAllText(planted, "{ half a config");
            string? written = null;

            NodeConfigEdit.SetPd(config.Path, "pd0", enabled: false, (path, _) => new FileStream(written = path, FileMode.CreateNew, FileAccess.Write));

            var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            Assert.Matches($@"^\.node\.json\.pd-edit-{pid}-[0-9a-f]{{32}}\.tmp$", Path.GetFileName(written!));
            Assert.False(File.Exists(written), "the edit's own temporary file was renamed over the config");
            Assert.False(File.Exists(stale), "the temporary file of a process that is gone is still there");
            Assert.True(File.Exists(working), "the temporary file of a live process was removed");
            Assert.True(File.Exists(other), "a temporary file of another config was removed");
            Assert.False(NodeConfigLoader.Load(config.Path).Config.Adapters[0].Pd);
        }
        finally
        {
            live.Kill();
            live.WaitForExit();
        }
    }

    public static TheoryData<string, string> NotUtf8 => new()
    {
        { "utf-16le-bom", "is UTF-16 or UTF-32 text (it starts with a byte-order mark of one); pd reads UTF-8 only: save the file as UTF-8." },
        { "utf-16be-bom", "is UTF-16 or UTF-32 text (it starts with a byte-order mark of one); pd reads UTF-8 only: save the file as UTF-8." },
        { "utf-16le", "holds a NUL byte at offset 1, which UTF-8 text does not (is it UTF-16?); pd reads UTF-8 only: save the file as UTF-8." },
        { "latin-1", "is not UTF-8 text: the bytes at offset 14 are no UTF-8 character; pd reads UTF-8 only: save the file as UTF-8." },
    };

    [Theory]
    [MemberData(nameof(NotUtf8))]
    public void Every_command_that_reads_the_config_refuses_text_that_is_not_UTF_8_alike(string encoding, string problem)
    {
        using var config = new TempConfig();
        var text = File.ReadAllText(config.Path).Replace("\"test-node\"", "\"nöde\"");
        byte[] bytes = encoding switch
        {
            "utf-16le-bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16be-bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "utf-16le" => Encoding.Unicode.GetBytes(text),
            _ => Encoding.Latin1.GetBytes(text),
        };
        File.WriteAllBytes(config.Path, bytes);
        var expected = $"pd: {config.Path}: {problem}";

        foreach (var command in new[] { "list", "enable-pd", "disable-pd" })
        {
            var run = Pd([command, .. command == "list" ? Array.Empty<string>() : ["pd0"], "--config", config.Path]);
            Assert.Equal((2, expected), (run.Exit, run.Error.Trim()));
        }
        Assert.Equal(expected, "pd: " + Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(config.Path)).Message);
        Assert.Equal(bytes, File.ReadAllBytes(config.Path));

        // A file the config names is read the same way, and the error says which key named it.
        var filters = Path.Combine(config.Directory, "filters.json");
        File.WriteAllText(config.Path, text.Replace("\"adapters\"", "\"filters\": \"filters.json\", \"adapters\""));
        File.WriteAllBytes(filters, bytes);
        Assert.Equal($"pd: {config.Path}: filters: {filters}: {problem}", Pd("list", "--config", config.Path).Error.Trim());
    }
}


