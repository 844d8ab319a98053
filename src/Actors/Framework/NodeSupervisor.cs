using PdCluster.Actors.Kernel;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The top of a node: one <see cref="AdapterSupervisor"/> per configured adapter, a status snapshot on request, and
/// an orderly stop (adapters quiesce their queues) as part of coordinated shutdown.
/// </summary>
public sealed class NodeSupervisor(string node, IReadOnlyList<AdapterSettings> adapters) : ActorBase
{
    private readonly Dictionary<string, IActorRef> _adapters = [];

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
            _adapters[adapter.Name] = Context.ActorOf(Props.Create(() => new AdapterSupervisor(adapter)), adapter.Name);
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetNodeStatus:
                var sender = Sender;
                var asks = _adapters.Values.Select(a => a.Ask<AdapterStatus>(GetAdapterStatus.Instance, TimeSpan.FromSeconds(5))).ToArray();
                Task.WhenAll(asks).ContinueWith(
                    t => sender.Tell(t.IsCompletedSuccessfully ? new NodeStatus(node, t.Result) : new StatusFailure(t.Exception!.GetBaseException())),
                    TaskScheduler.Default);
                break;
            case ToAdapter(var adapter, var forward) when _adapters.TryGetValue(adapter, out var target):
                target.Tell(forward, Sender);
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
