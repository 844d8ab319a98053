using System.Runtime.InteropServices;
using PdCluster.Actors.Kernel;

namespace PdCluster.Node.Hosting;

/// <summary>
/// SIGTERM, SIGINT and SIGHUP for <c>pd node run</c>, registered before anything starts so none of them kills the
/// process: one that arrives before the node exists is remembered and startup stops where it is; once the node's
/// coordinated shutdown is attached, the first signal runs it. SIGHUP stops the node the same clean way (there is no
/// configuration reload).
/// </summary>
internal sealed class NodeSignals : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _received = new();
    private readonly PosixSignalRegistration[] _registrations;
    private CoordinatedShutdown? _shutdown;

    public NodeSignals() =>
        _registrations = [Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGINT), Register(PosixSignal.SIGHUP)];

    /// <summary>The first signal that arrived, if one has.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Cancelled when the first signal arrives, so a startup step can stop early.</summary>
    public CancellationToken Stopping => _received.Token;

    /// <summary>Hands later signals to <paramref name="shutdown"/>, and runs it now if a signal came while the node was starting.</summary>
    public void Attach(CoordinatedShutdown shutdown)
    {
        PosixSignal? early;
        lock (_lock)
        {
            _shutdown = shutdown;
            early = Received;
        }
        if (early is { } signal)
            _ = shutdown.Run(signal.ToString());
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        CoordinatedShutdown? shutdown;
        lock (_lock)
        {
            Received ??= context.Signal;
            shutdown = _shutdown;
        }
        _received.Cancel();
        _ = shutdown?.Run(context.Signal.ToString());
    });

    public void Dispose()
    {
        foreach (var r in _registrations)
            r.Dispose();
    }
}
