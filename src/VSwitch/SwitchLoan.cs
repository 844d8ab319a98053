using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;

namespace PdCluster.VSwitch;

/// <summary>
/// A switch on an adapter the node drives: borrows the adapter from the node (<see cref="LendAdapter"/>: the adapter's own
/// queues quiesce and its provider closes), then runs the <see cref="SwitchSupervisor"/> on it, passing it every message
/// (those that come before the loan wait for it). When the switch stops, it closes the adapter first, and the loan gives
/// the adapter back to the node (<see cref="ReturnAdapter"/>).
/// </summary>
public sealed class SwitchLoan(IActorRef node, string adapter, SwitchSettings settings) : ActorBase
{
    private readonly List<(object Message, IActorRef Sender)> _waiting = [];
    private IActorRef? _switch;
    private bool _lent;

    /// <summary>Props for the loan of <paramref name="adapter"/> (the node's name for it) to the switch <paramref name="settings"/> describe.</summary>
    public static Props Props(IActorRef node, string adapter, SwitchSettings settings) => Actors.Kernel.Props.Create(() => new SwitchLoan(node, adapter, settings));

    /// <summary>A switch that fails to open its adapter is stopped, and the adapter goes back to the node.</summary>
    protected override SupervisorStrategy SupervisorStrategy { get; } = new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Stop);

    /// <inheritdoc/>
    protected override void PreStart() => node.Tell(new LendAdapter(adapter, settings.Name), Self);

    /// <inheritdoc/>
    protected override void PostStop()
    {
        if (_lent)
            node.Tell(new ReturnAdapter(adapter));
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case AdapterLent:
                _lent = true;
                _switch = Context.Watch(Context.ActorOf(SwitchSupervisor.Props(settings), "switch"));
                foreach (var (waiting, sender) in _waiting)
                    _switch.Tell(waiting, sender);
                _waiting.Clear();
                break;
            case StatusFailure failure when _switch is null:
                Context.System.EventStream.Publish(new ActorError(Self, $"switch {settings.Name}: the node did not lend {adapter}: {failure.Cause.Message}", failure.Cause));
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_switch):
                Context.System.EventStream.Publish(new ActorError(Self, $"switch {settings.Name} stopped on {adapter}; the adapter goes back to the node.",
                    new InvalidOperationException($"switch {settings.Name} stopped")));
                Context.Stop(Self);
                break;
            case var _ when _switch is not null:
                _switch.Tell(message, Sender);
                break;
            default:
                _waiting.Add((message, Sender));
                break;
        }
    }
}
