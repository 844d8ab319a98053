using PdCluster.Actors.Framework;
using PdCluster.Actors.Kernel;

namespace PdCluster.VSwitch;

/// <summary>
/// A switch on adapters the node drives: borrows them from the node (<see cref="LendAdapter"/>: each adapter's own
/// queues quiesce and its provider closes; a switch on a team borrows every member), then runs the
/// <see cref="SwitchSupervisor"/> on them, passing it every message (those that come before the loan wait for it). It
/// tells the node what each lent adapter is to the switch as its external port moves (<see cref="LentAdapterChanged"/>).
/// When the switch stops, it closes the adapters first, and the loan gives them back to the node (<see cref="ReturnAdapter"/>).
/// </summary>
public sealed class SwitchLoan(IActorRef node, IReadOnlyList<string> adapters, SwitchSettings settings) : ActorBase
{
    private readonly List<(object Message, IActorRef Sender)> _waiting = [];
    private readonly HashSet<string> _lent = new(StringComparer.Ordinal);
    private IActorRef? _switch;
    private Exception? _failure;

    /// <summary>
    /// Props for the loan of <paramref name="adapters"/> (the node's names: the external adapter, then its team's other
    /// members in order) to the switch <paramref name="settings"/> describe.
    /// </summary>
    public static Props Props(IActorRef node, IReadOnlyList<string> adapters, SwitchSettings settings) =>
        Actors.Kernel.Props.Create(() => new SwitchLoan(node, adapters, settings));

    /// <summary>A switch that fails to open its adapter is stopped, and the adapters go back to the node.</summary>
    protected override SupervisorStrategy SupervisorStrategy => field ??= new OneForOneStrategy(-1, TimeSpan.Zero, e =>
    {
        _failure = e;
        return Directive.Stop;
    });

    /// <inheritdoc/>
    protected override void PreStart()
    {
        foreach (var adapter in adapters)
            node.Tell(new LendAdapter(adapter, settings.Name), Self);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        foreach (var adapter in _lent)
            node.Tell(new ReturnAdapter(adapter));
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case AdapterLent lent:
                _lent.Add(lent.Adapter);
                if (_lent.Count < adapters.Count)
                    break;
                _switch = Context.Watch(Context.ActorOf(SwitchSupervisor.Props(settings), "switch"));
                foreach (var (waiting, sender) in _waiting)
                    _switch.Tell(waiting, sender);
                _waiting.Clear();
                if (adapters.Count > 1)
                    Report(adapters[0], null);
                break;
            case StatusFailure failure when _switch is null:
                Context.System.EventStream.Publish(new ActorError(Self, $"switch {settings.Name}: the node did not lend {string.Join(", ", adapters)}: {failure.Cause.Message}", failure.Cause));
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_switch):
                Context.System.EventStream.Publish(new ActorError(Self, $"switch {settings.Name} stopped on {string.Join(", ", adapters)}{(_failure is null ? "" : $" ({_failure.Message})")}; the adapters go back to the node.",
                    _failure ?? new InvalidOperationException($"switch {settings.Name} stopped")));
                Context.Stop(Self);
                break;
            case ExternalPortChanged changed:
                Report(changed.Adapter, changed.Failure);
                Context.Parent.Tell(changed, Self);
                break;
            case var _ when _switch is not null:
                _switch.Tell(message, Sender);
                break;
            default:
                _waiting.Add((message, Sender));
                break;
        }
    }

    /// <summary>Tells the node what each lent adapter is now: the one carrying the external port, a standby, or down with the port.</summary>
    private void Report(string? carrier, string? failure)
    {
        foreach (var adapter in adapters)
            node.Tell(new LentAdapterChanged(adapter, adapter == carrier ? $"the external port of VM switch {settings.Name}"
                : carrier is not null ? $"a standby of VM switch {settings.Name}'s external port (on {carrier} now)"
                : $"the external port of VM switch {settings.Name}, down: {failure}"));
    }
}
