using System.Diagnostics;
using System.Globalization;
using System.Net;
using PdCluster.Nic.Adapters;
using PdCluster.Node.Commands;
using PdCluster.Node.Configuration;
using PdCluster.Node.Hosting;
using PdCluster.Queues.Capture;
using PdCluster.Queues.Packets;
using PdCluster.Tests.Provider.Veth;

namespace PdCluster.Tests.Node;

/// <summary><c>pd capture</c> against a running node: what it writes, what it refuses, and how a capture ends.</summary>
[Collection(ConsoleCapture.Collection)]
public sealed class CaptureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static (int Exit, string Output, string Error) Capture(NodeHost host, string adapter, int queue, long? count, string path) =>
        Capture(new Uri(host.AdminUrl), adapter, queue, count, path);

    private static (int Exit, string Output, string Error) Capture(Uri endpoint, string adapter, int queue, long? count, string path) =>
        ConsoleCapture.Run(() => CaptureCommand.RunAsync(endpoint, adapter, queue, count, CaptureFile.MaxCapturedLength, path, CancellationToken.None).GetAwaiter().GetResult());

    private static (int Exit, string Output, string Error) Pd(params string[] args)
    {
        var root = new System.CommandLine.RootCommand();
        root.Subcommands.Add(CaptureCommand.Create());
        return ConsoleCapture.Run(() => PdCommandLine.InvokeAsync(root, args).GetAwaiter().GetResult());
    }

    private static List<CapturedPacket> Read(string path)
    {
        using var file = File.OpenRead(path);
        return [.. CaptureFile.Read(file)];
    }

    private static PacketInfo Parse(CapturedPacket packet)
    {
        PacketInfo info = default;
        PacketParser.Parse(packet.Data, ref info);
        return info;
    }

    /// <summary>
    /// Waits until the capture that process <paramref name="pid"/> runs into <paramref name="path"/> is armed and its
    /// frames reach the disk (its temporary file grows past the first buffer). A capture that ended meanwhile
    /// (<paramref name="capture"/>, when given) fails the wait with what it printed.
    /// </summary>
    private static async Task UntilCapturing(string path, int pid, Task<(int Exit, string Output, string Error)>? capture = null)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.pd-capture-{pid}.tmp");
        var deadline = DateTime.UtcNow + Timeout;
        while (!(File.Exists(temp) && new FileInfo(temp).Length > 0))
        {
            if (capture is { IsCompleted: true })
                Assert.Fail($"the capture ended before it wrote a frame: exit {capture.Result.Exit}, {capture.Result.Output}{capture.Result.Error}");
            Assert.True(DateTime.UtcNow < deadline, "the capture never wrote a frame");
            await Task.Delay(20);
        }
    }

    /// <summary>Captures <paramref name="count"/> frames from queue <paramref name="queue"/> of pd0 once the queue runs and is free again, and checks the file holds them.</summary>
    private static async Task CaptureOnceRunning(NodeHost host, int queue, long count, string path)
    {
        var deadline = DateTime.UtcNow + Timeout;
        (int Exit, string Output, string Error) result;
        while ((result = Capture(host, "pd0", queue, count, path)).Exit != 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(result.Exit == 0, result.Error);
        Assert.Equal(count, Read(path).Count);
    }

    /// <summary>Runs <paramref name="test"/> against a node on <paramref name="config"/>, stops the node, and checks every buffer came home.</summary>
    private static async Task WithNode(TempConfig config, Func<NodeHost, Task> test)
    {
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            await test(host);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        Assert.Null(host.MissingBuffers);
    }

    [Fact]
    public async Task A_capture_of_k_frames_holds_k_frames_of_what_the_queue_receives_and_leaves_the_queue_running()
    {
        using var config = new TempConfig();
        await WithNode(config, async host =>
        {
            var path = Path.Combine(config.Directory, "web.pcap");
            var (exit, output, error) = Capture(host, "pd0", 1, 200, path);
            Assert.True(exit == 0, error);
            Assert.Matches(@"^captured 200 frames \(\d+ dropped because the reader lagged\) from pd0 queue 1", output);

            var packets = Read(path);
            Assert.Equal(200, packets.Count);
            // Queue 1 gets what the hardware filter steer-web steers to it: TCP to port 80, whole.
            Assert.All(packets, p =>
            {
                var info = Parse(p);
                Assert.Equal((UInt128)IpProtocol.Tcp, info.Key.Get(MatchField.Protocol));
                Assert.Equal((UInt128)80, info.Key.Get(MatchField.DestinationPort));
                Assert.Equal(p.OriginalLength, p.Data.Length);
            });
            Assert.Empty(Directory.GetFiles(config.Directory, ".*.tmp"));

            var received = host.Telemetry.Single().Queues[1].Received;
            var (again, _, againError) = Capture(host, "pd0", 0, 50, Path.Combine(config.Directory, "rss.pcap"));
            Assert.True(again == 0, againError);
            Assert.Equal(50, Read(Path.Combine(config.Directory, "rss.pcap")).Count);
            Assert.True(host.Telemetry.Single().Queues[1].Received > received, "the queue kept receiving");
        });
    }

    [Fact]
    public async Task Refusals_name_what_is_wrong_with_exit_2_and_a_missing_node_is_exit_1()
    {
        using var config = new TempConfig();
        var path = Path.Combine(config.Directory, "x.pcap");
        var noNode = Capture(new Uri($"http://127.0.0.1:{config.Port}/"), "pd0", 0, 1, path);
        Assert.Equal(1, noNode.Exit);
        Assert.StartsWith($"pd: no node answers at http://127.0.0.1:{config.Port}/", noNode.Error);

        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        try
        {
            var unknown = Capture(host, "pd9", 0, 1, path);
            Assert.Equal(2, unknown.Exit);
            Assert.EndsWith("404 Not Found: No adapter named 'pd9' on this node.\n", unknown.Error);

            var pastLast = Capture(host, "pd0", 2, 1, path);
            Assert.Equal(2, pastLast.Exit);
            Assert.EndsWith("pd0 has 2 queue(s), 0 to 1; there is no queue 2.\n", pastLast.Error);

            var missingFolder = Path.Combine(config.Directory, "absent", "x.pcap");
            var unwritable = Capture(host, "pd0", 0, 1, missingFolder);
            Assert.Equal((2, $"pd: -w: cannot write {missingFolder}: the directory {Path.GetDirectoryName(missingFolder)} does not exist.\n"), (unwritable.Exit, unwritable.Error));
            var folder = Capture(host, "pd0", 0, 1, config.Directory);
            Assert.Equal((2, $"pd: -w: {config.Directory} is a directory.\n"), (folder.Exit, folder.Error));
            Assert.False(File.Exists(path), "a refused capture leaves no file");

            // A FIFO (as a device or socket would) is refused, directly and through a symbolic link, and stays a FIFO.
            var fifo = Path.Combine(config.Directory, "fifo");
            Assert.Equal(0, VethPair.Run("mkfifo", fifo).Code);
            var link = Path.Combine(config.Directory, "link.pcap");
            File.CreateSymbolicLink(link, fifo);
            foreach (var target in new[] { fifo, link })
            {
                var special = Capture(host, "pd0", 0, 1, target);
                Assert.Equal((2, $"pd: -w: {target} is not a regular file (a device, FIFO or socket); name a file to write.\n"), (special.Exit, special.Error));
            }
            Assert.Contains("fifo", VethPair.Run("stat", $"-c %F {fifo}").Output);
            Assert.NotNull(File.ResolveLinkTarget(link, returnFinalTarget: false));

            // A symbolic link to a file: the file is written and the link stays a link.
            var file = Path.Combine(config.Directory, "target.pcap");
            File.WriteAllText(file, "");
            var toFile = Path.Combine(config.Directory, "to-file.pcap");
            File.CreateSymbolicLink(toFile, file);
            Assert.Equal(0, Capture(host, "pd0", 0, 1, toFile).Exit);
            Assert.NotNull(File.ResolveLinkTarget(toFile, returnFinalTarget: false));
            Assert.True(new FileInfo(file).Length > 0, "the capture went to the file the link names");

            // One capture per queue: a second is refused while the first runs, and taken once it is over.
            using var http = new HttpClient { BaseAddress = new Uri(host.AdminUrl) };
            using (var first = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/adapters/pd0/queues/0/capture"), HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                var busy = Capture(host, "pd0", 0, 1, path);
                Assert.Equal(2, busy.Exit);
                Assert.EndsWith("409 Conflict: pd0 queue 0: another capture is running on this queue; only one at a time.\n", busy.Error);
                Assert.Equal(0, Capture(host, "pd0", 1, 1, path).Exit);
            }
            await CaptureOnceRunning(host, 0, 1, path);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
    }

    [Theory]
    [InlineData("--count", "0", "--count: '0' is not a number of frames (1 or more).")]
    [InlineData("--count", "-5", "--count: '-5' is not a number of frames (1 or more).")]
    [InlineData("--count", "ten", "--count: 'ten' is not a number of frames (1 or more).")]
    [InlineData("--queue", "-1", "--queue: '-1' is not a queue number (0 or more).")]
    [InlineData("--snaplen", "0", "--snaplen: '0' is not a snap length from 1 to 262144.")]
    public void Bad_options_are_refused_with_exit_2_naming_the_option(string option, string value, string message)
    {
        var args = new List<string> { "capture", "--adapter", "pd0", "--queue", "0", "-w", "/tmp/never.pcap", "--endpoint", "http://127.0.0.1:1" };
        var at = args.IndexOf(option);
        if (at >= 0)
            args[at + 1] = value;
        else
            args.AddRange([option, value]);
        var (exit, _, error) = Pd([.. args]);
        Assert.Equal(2, exit);
        Assert.StartsWith($"pd: {message}\n", error);
        Assert.False(File.Exists("/tmp/never.pcap"));
    }

    [Fact]
    public async Task Removing_the_adapter_ends_the_capture_with_its_frames_kept_and_arrival_allows_the_next()
    {
        using var config = new TempConfig();
        await WithNode(config, async host =>
        {
            var path = Path.Combine(config.Directory, "removed.pcap");
            var capture = Task.Run(() => Capture(host, "pd0", 0, null, path));
            await UntilCapturing(path, Environment.ProcessId, capture);
            await Task.Delay(200);
            Assert.Equal(InjectOutcome.Injected, host.Inject("pd0", DeviceEvent.SurpriseRemoval));
            var (exit, _, error) = await capture.WaitAsync(Timeout);
            Assert.Equal(1, exit);
            Assert.Matches(@"^pd: the capture of pd0 queue 0 ended early: pd0 was removed; (\d+) frames \(\d+ dropped because the reader lagged\) are in the file\.\n$", error);
            var written = long.Parse(System.Text.RegularExpressions.Regex.Match(error, @"removed; (\d+) frames").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(written > 0, "frames arrived before the removal");
            Assert.Equal(written, Read(path).Count);

            var refused = Capture(host, "pd0", 0, 1, path);
            Assert.Equal(2, refused.Exit);
            Assert.Contains("pd0 queue 0: the queue does not run (pd0 was removed).", refused.Error);

            host.Inject("pd0", DeviceEvent.Arrival);
            await CaptureOnceRunning(host, 0, 10, path);
        });
    }

    [Fact]
    public async Task A_capture_through_a_device_event_storm_ends_cleanly_and_every_buffer_comes_home()
    {
        using var config = new TempConfig(TempConfig.Adapter("pd0", "\"checkedBuffers\": true,"));
        await WithNode(config, async host =>
        {
            var path = Path.Combine(config.Directory, "storm.pcap");
            var capture = Task.Run(() => Capture(host, "pd0", 1, null, path));
            await UntilCapturing(path, Environment.ProcessId, capture);
            var random = new Random(9);
            var events = Enum.GetValues<DeviceEvent>();
            for (var i = 0; i < 500; i++)
                host.Inject("pd0", events[random.Next(events.Length)]);
            foreach (var e in new[] { DeviceEvent.Arrival, DeviceEvent.Enable, DeviceEvent.FullPower, DeviceEvent.LinkUp })
                host.Inject("pd0", e);

            var (exit, _, error) = await capture.WaitAsync(Timeout);
            Assert.Equal(1, exit);
            Assert.Matches(@"^pd: the capture of pd0 queue 1 ended early: pd0 (was removed|was disabled|went to low power); \d+ frames", error);
            Assert.All(Read(path), p => Assert.Equal((UInt128)80, Parse(p).Key.Get(MatchField.DestinationPort)));

            await CaptureOnceRunning(host, 1, 20, path);
        });
    }

    [Fact]
    public async Task Stopping_the_node_ends_the_capture_with_its_frames_kept()
    {
        using var config = new TempConfig();
        var host = await NodeHost.StartAsync(NodeConfigLoader.Load(config.Path));
        var path = Path.Combine(config.Directory, "stopped.pcap");
        Task<(int Exit, string Output, string Error)> capture;
        try
        {
            capture = Task.Run(() => Capture(host, "pd0", 0, null, path));
            await UntilCapturing(path, Environment.ProcessId, capture);
        }
        finally
        {
            await host.ShutdownAsync("test");
        }
        var (exit, _, error) = await capture.WaitAsync(Timeout);
        Assert.Equal(1, exit);
        Assert.Matches(@"^pd: the capture of pd0 queue 0 ended early: (the node is stopping|pd0's supervisor stopped)", error);
        Read(path);
        Assert.Null(host.MissingBuffers);
    }

    private static Process StartPd(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pd.dll"));
        foreach (var a in args)
            info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    private static async Task<(int Exit, string Output, string Error)> Finish(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return (process.ExitCode, await output, await error);
    }

    private static string[] Tshark(params string[] args)
    {
        var info = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var tshark = Process.Start(info)!;
        var output = tshark.StandardOutput.ReadToEndAsync();
        var error = tshark.StandardError.ReadToEndAsync();
        Assert.True(tshark.WaitForExit(Timeout), "tshark did not finish");
        Assert.True(tshark.ExitCode == 0, $"tshark exited {tshark.ExitCode}: {error.Result}");
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [TsharkFact]
    public async Task The_pd_process_writes_files_tshark_reads_and_sigint_ends_an_open_capture_with_a_whole_file()
    {
        using var config = new TempConfig();
        using var node = StartPd(["node", "run", "--config", config.Path]);
        var endpoint = new Uri($"http://127.0.0.1:{config.Port}/");
        try
        {
            _ = node.StandardOutput.ReadToEndAsync();
            _ = node.StandardError.ReadToEndAsync();
            var path = Path.Combine(config.Directory, "web.pcap");
            using (var capture = StartPd(["capture", "--adapter", "pd0", "--queue", "1", "--count", "100", "-w", path, "--endpoint", endpoint.ToString()]))
            {
                // The node may still be starting: pd capture then finds no node (exit 1), and is asked again.
                var deadline = DateTime.UtcNow + Timeout;
                var (exit, output, error) = await Finish(capture);
                while (exit == 1 && error.Contains("no node answers", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                    using var again = StartPd(["capture", "--adapter", "pd0", "--queue", "1", "--count", "100", "-w", path, "--endpoint", endpoint.ToString()]);
                    (exit, output, error) = await Finish(again);
                }
                Assert.True(exit == 0, error);
                Assert.StartsWith("captured 100 frames", output);
            }
            var ports = Tshark("-r", path, "-T", "fields", "-e", "tcp.dstport");
            Assert.Equal(Enumerable.Repeat("80", 100), ports);

            var ng = Path.Combine(config.Directory, "web.pcapng");
            using (var capture = StartPd(["capture", "--adapter", "pd0", "--queue", "1", "--count", "30", "-w", ng, "--endpoint", endpoint.ToString()]))
            {
                var (exit, _, error) = await Finish(capture);
                Assert.True(exit == 0, error);
            }
            Assert.Equal(Enumerable.Repeat("pd0 queue 1\t80", 30), Tshark("-r", ng, "-T", "fields", "-e", "frame.interface_name", "-e", "tcp.dstport"));
            Assert.Equal(30, Read(ng).Count);

            var open = Path.Combine(config.Directory, "open.pcap");
            using var unbounded = StartPd(["capture", "--adapter", "pd0", "--queue", "0", "-w", open, "--endpoint", endpoint.ToString()]);
            await UntilCapturing(open, unbounded.Id);
            await Task.Delay(300);
            using (var kill = Process.Start("kill", ["-INT", unbounded.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            var stopped = await Finish(unbounded);
            Assert.True(stopped.Exit == 0, stopped.Error);
            var count = int.Parse(System.Text.RegularExpressions.Regex.Match(stopped.Output, @"^captured (\d+) frames from pd0 queue 0 \(stopped by SIGINT").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(count > 0, stopped.Output);
            Assert.Equal(count, Tshark("-r", open).Length);
            Assert.Equal(count, Read(open).Count);
        }
        finally
        {
            if (!node.HasExited)
                node.Kill(entireProcessTree: true);
        }
    }

    [VethFact]
    public async Task A_capture_on_an_afxdp_adapter_over_veth_holds_the_frames_the_peer_sent_in_order()
    {
        using var veth = new VethPair();
        using var config = new TempConfig($$"""
            { "name": "pd0", "provider": "afxdp", "interface": "{{veth.DeviceInterface}}", "namespace": "{{veth.DeviceNamespace}}",
              "queues": 1, "queueSize": 256, "buffers": 1024 }
            """, "\"filters\": \"filters.json\",");
        File.WriteAllText(Path.Combine(config.Directory, "filters.json"), "[]");
        await WithNode(config, async host =>
        {
            static byte[] Frame(int port) =>
                new FrameBuilder().Ethernet(VethPair.DeviceMac, VethPair.PeerMac).Ipv4("198.18.0.1", "198.18.1.1").Udp((ushort)port, 9).Build(64 + port % 200);
            var path = Path.Combine(config.Directory, "veth.pcap");
            var capture = Task.Run(() => Capture(host, "pd0", 0, 50, path));
            using (var sender = new PacketSender(veth.Peer, veth.PeerInterface))
            {
                // Sent until the capture has its 50: frames sent before it was armed are not in it.
                for (var port = 1000; !capture.IsCompleted && port < 60_000; port++)
                {
                    sender.Send(Frame(port));
                    if (port % 10 == 0)
                        await Task.Delay(5);
                }
            }
            var (exit, output, error) = await capture.WaitAsync(Timeout);
            Assert.True(exit == 0, error);
            Assert.StartsWith("captured 50 frames", output);
            var packets = Read(path);
            Assert.Equal(50, packets.Count);
            var ports = packets.Select(p => (int)Parse(p).Key.Get(MatchField.SourcePort)).ToList();
            Assert.Equal(Enumerable.Range(ports[0], 50), ports);
            Assert.All(packets, p => Assert.Equal(Frame((int)Parse(p).Key.Get(MatchField.SourcePort)), p.Data));
        });
    }
}
