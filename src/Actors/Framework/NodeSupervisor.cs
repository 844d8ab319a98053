using PdCluster.Actors.Kernel;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The top of a node: one <see cref="AdapterSupervisor"/> per configured adapter, a status snapshot on request (read
/// from each adapter's published <see cref="AdapterTelemetry"/>, so a supervisor busy setting filters never delays it), and
/// an orderly stop (adapters quiesce their queues) as part of coordinated shutdown. A failed adapter supervisor is
/// stopped (its queues drain and its provider closes in order) and started afresh, at most 3 times in a minute of the
/// system's clock (<see cref="ActorSystem.Time"/>); after that it stays stopped, and that is an error everywhere an
/// operator looks: an <see cref="ActorError"/>, the adapter's state <see cref="AdapterState.Failed"/> with the reason in
/// its telemetry (so metrics and the status say so), and in the node's status. An adapter can be lent to a VM switch
/// (<see cref="LendAdapter"/>): its supervisor stops as for shutdown, the adapter reads <see cref="AdapterState.Lent"/>,
/// filters published meanwhile are kept (and answered as a closed adapter answers them), and <see cref="ReturnAdapter"/>
/// starts a fresh supervisor with them.
/// </summary>
public sealed class NodeSupervisor(string node, IReadOnlyList<AdapterSettings> adapters) : ActorBase
{
    private const int MaxRestarts = 3;
    private static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, IActorRef> _adapters = [];
    private readonly Dictionary<string, RestartStats> _restarts = [];
    private readonly Dictionary<string, (LendAdapter Lend, IActorRef Asker)> _lending = [];
    // Lent adapters, by name, with the borrower and the filters last published to them (null: none since the loan).
    private readonly Dictionary<string, (string Borrower, PublishFilters? Filters)> _lent = [];
    // Loans asked for while the adapter was still lent (a switch made again at once): served as the loan before ends.
    private readonly Dictionary<string, Queue<(LendAdapter Lend, IActorRef Asker)>> _queuedLends = [];

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

    /// <summary>Stops the adapter's supervisor (its queues quiesce, its provider closes); the asker hears once it has.</summary>
    private void Lend(LendAdapter lend)
    {
        if (adapters.All(a => a.Name != lend.Adapter))
            Sender.Tell(new StatusFailure(new KeyNotFoundException($"No adapter named '{lend.Adapter}' on {node}.")));
        else if (_lent.ContainsKey(lend.Adapter) || _lending.ContainsKey(lend.Adapter))
        {
            if (!_queuedLends.TryGetValue(lend.Adapter, out var queue))
                _queuedLends[lend.Adapter] = queue = new();
            queue.Enqueue((lend, Sender));
        }
        else if (_adapters.TryGetValue(lend.Adapter, out var supervisor))
        {
            _lending[lend.Adapter] = (lend, Sender);
            Context.Stop(supervisor);
        }
        else
            Lent(lend, Sender); // the node gave up on it: nothing drives it
    }

    private void Lent(LendAdapter lend, IActorRef asker, PublishFilters? kept = null)
    {
        var adapter = adapters.First(a => a.Name == lend.Adapter);
        _lent[lend.Adapter] = (lend.Borrower, kept);
        adapter.Telemetry.Lend(lend.Borrower);
        Context.System.EventStream.Publish(new AdapterStateChanged(adapter.Name, AdapterState.Lent, adapter.Pool.FreeCount, adapter.Pool.Capacity));
        asker.Tell(new AdapterLent(lend.Adapter));
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetNodeStatus:
                Sender.Tell(new NodeStatus(node, [.. adapters.Select(a => a.Telemetry.Status(a.Name, a.Pool, a.Provider, a.Info))]));
                break;
            case ToAdapter(var adapter, PublishFilters publish) when _lent.TryGetValue(adapter, out var loan):
                _lent[adapter] = loan with { Filters = publish };
                Sender.Tell(new FiltersApplied(adapter, publish.Filters.Revision, publish.Filters.Count));
                break;
            case ToAdapter(var adapter, _) when _lent.TryGetValue(adapter, out var loan):
                Sender.Tell(new StatusFailure(new InvalidOperationException($"{adapter} is the external port of VM switch {loan.Borrower} on {node}.")));
                break;
            case ToAdapter(var adapter, var forward) when _adapters.TryGetValue(adapter, out var target):
                target.Tell(forward, Sender);
                break;
            case LendAdapter lend:
                Lend(lend);
                break;
            case LentAdapterChanged changed when _lent.ContainsKey(changed.Adapter):
                adapters.First(a => a.Name == changed.Adapter).Telemetry.LentAs(changed.Detail);
                break;
            case LentAdapterChanged:
                break;
            case ReturnAdapter(var adapter) when _queuedLends.TryGetValue(adapter, out var queued) && queued.TryDequeue(out var next):
                Lent(next.Lend, next.Asker, _lent[adapter].Filters);
                break;
            case ReturnAdapter(var adapter) when _lent.Remove(adapter, out var loan):
                Start(adapters.First(a => a.Name == adapter));
                if (loan.Filters is { } kept)
                    _adapters[adapter].Tell(kept, Nobody.Instance);
                break;
            case ReturnAdapter:
                break;
            case Terminated terminated when _lending.FirstOrDefault(l => _adapters.GetValueOrDefault(l.Key) == terminated.ActorRef) is { Key: { } lentName } lending:
                _lending.Remove(lentName);
                _adapters.Remove(lentName);
                Lent(lending.Value.Lend, lending.Value.Asker);
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
