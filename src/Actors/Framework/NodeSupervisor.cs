using PdCluster.Actors.Kernel;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The top of a node: one <see cref="AdapterSupervisor"/> per configured adapter, a status snapshot on request (read
/// from each adapter's published <see cref="AdapterTelemetry"/>, so a supervisor busy setting filters never delays it), and
/// an orderly stop (adapters quiesce their queues) as part of coordinated shutdown. A failed adapter supervisor is
/// stopped (its queues drain and its provider closes in order) and started afresh, at most 3 times in a minute of the
/// system's clock (<see cref="ActorSystem.Time"/>); after that it stays stopped, and that is an error everywhere an
/// operator looks: an <see cref="ActorError"/>, the adapter's state <see cref="AdapterState.Failed"/> with the reason in
/// its telemetry (so metrics and the status say so), and in the node's status.
/// </summary>
public sealed class NodeSupervisor(string node, IReadOnlyList<AdapterSettings> adapters) : ActorBase
{
    private const int MaxRestarts = 3;
    private static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, IActorRef> _adapters = [];
    private readonly Dictionary<string, RestartStats> _restarts = [];

    /// <summary>A failed adapter supervisor is stopped, children first, so its data path closes in PD's order.</summary>
    protected override SupervisorStrategy SupervisorStrategy { get; } = new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Stop);

    /// <summary>Creates the node's actor and registers its stop in the "service-stop" shutdown phase.</summary>
    public static IActorRef Start(ActorSystem system, string node, IReadOnlyList<AdapterSettings> adapters)
    {
        var actor = system.ActorOf(Props.Create(() => new NodeSupervisor(node, adapters)), "node");
        system.CoordinatedShutdown.AddTask("service-stop", "stop-adapters", async _ => await actor.GracefulStop(TimeSpan.FromSeconds(10)));
        return actor;
    }

    /// <inheritdoc/>
    protected override void PreStart()
    {
        foreach (var adapter in adapters)
            Start(adapter);
    }

    private void Start(AdapterSettings adapter) =>
        _adapters[adapter.Name] = Context.Watch(Context.ActorOf(AdapterSupervisor.PropsFor(adapter), adapter.Name));

    private void OnAdapterStopped(IActorRef actor)
    {
        var adapter = adapters.First(a => _adapters.GetValueOrDefault(a.Name) == actor);
        var now = Context.System.Time.GetUtcNow();
        if (!_restarts.TryGetValue(adapter.Name, out var stats))
            _restarts[adapter.Name] = stats = new RestartStats(now);
        if (stats.RequestRestartPermission(MaxRestarts, RestartWindow, now))
        {
            Start(adapter);
            return;
        }
        _adapters.Remove(adapter.Name);
        var cause = adapter.Telemetry.Error is { } error ? $" The last failure: {error}" : "";
        var message = $"{node}: {adapter.Name} failed again after {MaxRestarts} fresh starts within {RestartWindow.TotalMinutes:0} min; it stays stopped.{cause}";
        adapter.Telemetry.GiveUp(message);
        Context.System.EventStream.Publish(new AdapterStateChanged(adapter.Name, AdapterState.Failed, adapter.Pool.FreeCount, adapter.Pool.Capacity));
        Context.System.EventStream.Publish(new ActorError(Self, message, new InvalidOperationException(message)));
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetNodeStatus:
                Sender.Tell(new NodeStatus(node, [.. adapters.Select(a => a.Telemetry.Status(a.Name, a.Pool, a.Provider, a.Info))]));
                break;
            case ToAdapter(var adapter, var forward) when _adapters.TryGetValue(adapter, out var target):
                target.Tell(forward, Sender);
                break;
            case Terminated terminated when _adapters.ContainsValue(terminated.ActorRef):
                OnAdapterStopped(terminated.ActorRef);
                break;
            case ToAdapter(var adapter, _):
                Sender.Tell(new StatusFailure(new KeyNotFoundException($"No adapter named '{adapter}' on {node}.")));
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
