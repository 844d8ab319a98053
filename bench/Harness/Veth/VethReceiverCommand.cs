using System.Net;
using System.Runtime.InteropServices;

namespace PdCluster.Bench.Veth;

/// <summary>
/// <c>pd-bench veth-rx --path PATH --interface IF --address A --port P [--receive-queue-size N] [--reflect]</c>: runs one receive path until
/// SIGINT or SIGTERM and prints "&lt;CLOCK_REALTIME ns&gt; &lt;packets delivered&gt;" every second, the receiver
/// protocol of <c>veth-anchors.sh custom</c>, so the anchor script measures it beside its own receivers.
/// </summary>
internal static class VethReceiverCommand
{
    /// <summary>The paths this command runs.</summary>
    public static readonly string[] Paths = ["pd-afxdp-drain", "pd-afxdp-paced", "pd-afxdp-aligned", "pd-afxdp-busy", "pd-afpacket-drain", "dotnet-socket", "dotnet-recvmmsg"];

    public static int Run(VethOptions options)
    {
        var path = options.Text("path");
        var reflect = options.Flag("reflect");
        var address = IPAddress.Parse(options.Text("address", "198.18.0.2"));
        var port = options.Number("port", 9000);
        var rx = PdVethReceiver.CheckReceiveQueueSize(options.Number("receive-queue-size", PdVethReceiver.DefaultReceiveQueueSize));
        using IVethReceiver receiver = path switch
        {
            "pd-afxdp-drain" => new PdVethReceiver("afxdp", options.Text("interface"), drainNotification: true, reflect, port, rx),
            "pd-afxdp-paced" => new PdVethReceiver("afxdp", options.Text("interface"), drainNotification: true, reflect, port, rx, pacedPoll: true),
            "pd-afxdp-aligned" => new PdVethReceiver("afxdp", options.Text("interface"), drainNotification: true, reflect, port, rx, alignedUmem: true),
            "pd-afxdp-busy" => new PdVethReceiver("afxdp", options.Text("interface"), drainNotification: false, reflect, port, rx),
            "pd-afpacket-drain" => new PdVethReceiver("afpacket", options.Text("interface"), drainNotification: true, reflect, port, rx),
            "dotnet-socket" => new SocketVethReceiver(address, port, reflect),
            "dotnet-recvmmsg" when !reflect => new RecvMmsgVethReceiver(address, port),
            _ => throw new VethUsageException($"--path: '{path}' is not one of {string.Join(", ", Paths)} (dotnet-recvmmsg does not reflect)"),
        };
        using var stop = new ManualResetEventSlim();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        Report(receiver);
        while (!stop.Wait(TimeSpan.FromSeconds(1)))
            Report(receiver);
        Report(receiver);
        return 0;
    }

    private static void Report(IVethReceiver receiver)
    {
        var nanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        // "removed <ns>": when the adapter supervisor announced a surprise removal (bench/run.sh times `ip link del` with it).
        var removed = receiver is PdVethReceiver { RemovedAt: > 0 } pd ? $" removed {pd.RemovedAt}" : "";
        Console.Out.WriteLine($"{nanoseconds} {receiver.Delivered}{removed}");
        Console.Out.Flush();
    }
}
