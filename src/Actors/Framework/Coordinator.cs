using PdCluster.Actors.Kernel;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// The failover coordinator's campaign and, while it leads, its work (DESIGN.md, "Failover"). The node campaigns with
/// <c>election/&lt;node&gt;</c> on its member lease; the candidate with the lowest create revision leads, where a
/// candidate is an election key on the same (non-zero) lease as the member key of the same name. A key under
/// <c>members/</c> or <c>election/</c> without a lease (written by another client) is no node's: it is ignored and
/// reported once as an <see cref="ActorError"/>. The leader
/// gives every declared item an owner (<see cref="OwnershipPlan"/>) in one transaction conditioned on its election
/// key's create revision, so a coordinator whose key is gone (lease expired or revoked) writes nothing. It reads again
/// whenever a key under <c>members/</c>, <c>owners/</c> or <c>election/</c> changes, when a node's <c>status/</c>
/// changes which of its items it cannot serve, and after a transaction that lost a race.
/// </summary>
public sealed class Coordinator(CoordinatorSettings settings) : ActorBase
{
    private const string RetryTimer = "retry";
    private readonly Dictionary<string, string> _unserved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedStray = new(StringComparer.Ordinal);
    private PrefixWatch? _watch;
    private int _generation;
    private bool _reading;
    private bool _again;
    private long _term;
    private string? _storeError;

    private sealed record Reconcile;

    /// <summary>One read and its outcome: who leads (<paramref name="Term"/> 0 when not this node), what moved, whether to read again at once.</summary>
    private sealed record Reconciled(long ReadRevision, long Term, OwnersAssigned? Assigned, bool Again, IReadOnlyList<string> Stray);

    private sealed record ReconcileFailed(Exception Cause);

    /// <summary>Creates the coordinator as <c>coordinator</c> of <paramref name="system"/>.</summary>
    public static IActorRef Start(ActorSystem system, CoordinatorSettings settings, string name = "coordinator") =>
        system.ActorOf(Props.Create(() => new Coordinator(settings)), name);

    /// <inheritdoc/>
    protected override void PreStart() => Self.Tell(new Reconcile());

    /// <inheritdoc/>
    protected override void PostStop() => _watch?.Dispose();

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Reconcile when _reading:
                _again = true;
                break;
            case Reconcile:
                _reading = true;
                _again = false;
                ReconcileAsync().PipeTo(Self, r => r, e => new ReconcileFailed(e));
                break;
            case Reconciled done:
                _reading = false;
                _storeError = null;
                if (done.Term != 0 && done.Term != _term)
                    Context.System.EventStream.Publish(new CoordinatorElected(settings.Node, done.Term));
                _term = done.Term;
                foreach (var key in done.Stray.Where(_reportedStray.Add))
                    Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: '{key}' is held by no lease, so it is no node's record; the coordinator ignores it (delete it)", new InvalidDataException($"{key} has lease 0")));
                if (done.Assigned is { } assigned)
                    Context.System.EventStream.Publish(assigned);
                _watch ??= PrefixWatch.Start(settings.Store, settings.WatchedPrefixes, done.ReadRevision + 1, ++_generation, Self);
                if (done.Again || _again)
                    Self.Tell(new Reconcile());
                break;
            case ReconcileFailed failed:
                _reading = false;
                if (_storeError is null)
                    Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: the failover coordinator cannot read or write the store: {failed.Cause.Message} (retrying every {settings.RetryDelay.TotalSeconds:0.###} s)", failed.Cause));
                _storeError = failed.Cause.Message;
                Context.Timers.StartSingleTimer(RetryTimer, new Reconcile(), settings.RetryDelay);
                break;
            case PrefixWatch.Changed changed when changed.Generation == _generation:
                if (Concerns(changed.Event))
                    Self.Tell(new Reconcile());
                break;
            case PrefixWatch.Failed failed when failed.Generation == _generation:
                // The next read starts a new watch from the revision it read at, so nothing between is missed.
                _watch?.Dispose();
                _watch = null;
                Context.Timers.StartSingleTimer(RetryTimer, new Reconcile(), failed.Cause is CompactedException ? TimeSpan.Zero : settings.RetryDelay);
                break;
            case PrefixWatch.Changed or PrefixWatch.Failed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Whether a change can alter a decision: any change under <c>members/</c>, <c>owners/</c> or <c>election/</c> (the
    /// watch covers only those and <c>status/</c>: a bulk of filters must not reach the coordinator), and
    /// a <c>status/</c> write only when it changes which items that node cannot serve (status is written on every adapter
    /// and filter change; the rest of it does not matter here).
    /// </summary>
    private bool Concerns(WatchEvent e)
    {
        var rest = e.Item.Key.AsSpan(settings.Prefix.Length);
        if (rest.StartsWith("members/") || rest.StartsWith("owners/") || rest.StartsWith("election/"))
            return true;
        if (!rest.StartsWith("status/"))
            return false;
        var node = rest["status/".Length..].ToString();
        var unserved = e.Type == WatchEventType.Put && StoredJson.TryRead(e.Item.Value, MembershipJson.Default.MemberStatus) is { Unserved: { Count: > 0 } items }
            ? string.Join('\n', items.Order(StringComparer.Ordinal))
            : "";
        if (_unserved.GetValueOrDefault(node, "") == unserved)
            return false;
        _unserved[node] = unserved;
        return true;
    }

    private async Task<Reconciled> ReconcileAsync()
    {
        var store = settings.Store;
        var election = await store.RangeAsync($"{settings.Prefix}election/");
        var members = await store.RangeAsync($"{settings.Prefix}members/");
        var member = members.Items.FirstOrDefault(k => k.Key == settings.MemberKey);
        var mine = election.Items.FirstOrDefault(k => k.Key == settings.ElectionKey);
        var stray = LeaseHeld.Stray(members.Items, election.Items);
        if (member is not null && (mine is null || mine.Lease != member.Lease))
        {
            await TryTxnAsync([Compare.ModRevision(settings.MemberKey, member.ModRevision), Compare.ModRevision(settings.ElectionKey, mine?.ModRevision ?? 0)],
                [new TxnOp.Put(settings.ElectionKey, settings.Node, member.Lease)]);
            return new Reconciled(election.Revision, 0, null, Again: true, stray);
        }
        var leader = LeaseHeld.Leader(settings.Prefix, members.Items, election.Items);
        if (mine is null || leader != mine)
            return new Reconciled(election.Revision, 0, null, Again: false, stray);

        var statuses = await store.RangeAsync($"{settings.Prefix}status/");
        var owners = await store.RangeAsync($"{settings.Prefix}owners/");
        var plan = OwnershipPlan.Compute(settings.Prefix, mine.CreateRevision, new OwnershipSnapshot(members.Items, statuses.Items, owners.Items), DateTimeOffset.UtcNow);
        if (plan.IsEmpty)
            return new Reconciled(election.Revision, mine.CreateRevision, null, Again: false, stray);
        var revision = await TryTxnAsync([Compare.CreateRevision(settings.ElectionKey, mine.CreateRevision), .. plan.When], plan.Then);
        return revision is { } committed
            ? new Reconciled(election.Revision, mine.CreateRevision, new OwnersAssigned(settings.Node, committed, plan.Moves), Again: false, stray)
            : new Reconciled(election.Revision, mine.CreateRevision, null, Again: true, stray);
    }

    /// <summary>The revision of a committed transaction, or null when a comparison failed or a lease it writes on has just ended.</summary>
    private async Task<long?> TryTxnAsync(IReadOnlyList<Compare> when, IReadOnlyList<TxnOp> then)
    {
        try
        {
            var result = await settings.Store.TxnAsync(when, then);
            return result.Succeeded ? result.Revision : null;
        }
        catch (LeaseNotFoundException)
        {
            return null;
        }
    }
}
