using PdCluster.Actors.Kernel;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Serves the items the coordinator gives this node (DESIGN.md, "Failover"): reads <c>owners/</c> at a revision R, then
/// watches from R+1. An item whose owner key names this node (and that the node declares) is taken: a VIP is announced
/// on its adapter at once and again after <see cref="OwnershipAgentSettings.Reannounce"/>, and <see cref="ItemOwned"/>
/// is published; one that moves away or loses its key is released (<see cref="ItemReleased"/>). On
/// <see cref="HandOver"/> it stops serving and deletes its owner, member and election keys that are on
/// its own lease (<see cref="Membership.Registered"/>; another node's keys under the same name are never deleted), in one
/// transaction.
/// </summary>
public sealed class OwnershipAgent(OwnershipAgentSettings settings) : ActorBase
{
    private const string RetryTimer = "retry";
    private readonly Dictionary<string, ClusterItem> _declared = settings.Items.ToDictionary(i => i.Id, StringComparer.Ordinal);
    private readonly HashSet<string> _owned = new(StringComparer.Ordinal);
    private PrefixWatch? _watch;
    private int _generation;
    private bool _leaving;
    private long _lease;

    private sealed record Resync;

    private sealed record Snapshot(RangeResult Owners);

    private sealed record ReadFailed(Exception Cause);

    private sealed record Announce(string Item);

    private sealed record Announced;

    private sealed record AnnounceFailed(string Item, Exception Cause);

    /// <summary>Creates the agent as <c>ownership</c> of <paramref name="system"/>.</summary>
    public static IActorRef Start(ActorSystem system, OwnershipAgentSettings settings, string name = "ownership") =>
        system.ActorOf(Props.Create(() => new OwnershipAgent(settings)), name);

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(Membership.Registered));
        Self.Tell(new Resync());
    }

    /// <inheritdoc/>
    protected override void PostStop() => _watch?.Dispose();

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Resync when !_leaving:
                settings.Store.RangeAsync(settings.OwnersPrefix).PipeTo(Self, r => new Snapshot(r), e => new ReadFailed(e));
                break;
            case Snapshot snapshot when !_leaving:
                var mine = snapshot.Owners.Items.Where(IsMine).ToDictionary(kv => ItemOf(kv.Key), kv => kv.ModRevision, StringComparer.Ordinal);
                foreach (var item in _owned.Where(i => !mine.ContainsKey(i)).ToList())
                    Release(item);
                foreach (var (item, revision) in mine)
                    Take(item, revision);
                _watch?.Dispose();
                _watch = PrefixWatch.Start(settings.Store, settings.OwnersPrefix, snapshot.Owners.Revision + 1, ++_generation, Self);
                break;
            case ReadFailed failed when !_leaving:
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: cannot read who owns the cluster's items: {failed.Cause.Message} (retrying)", failed.Cause));
                Context.Timers.StartSingleTimer(RetryTimer, new Resync(), settings.RetryDelay);
                break;
            case PrefixWatch.Changed changed when changed.Generation == _generation && !_leaving:
                var e = changed.Event;
                if (e.Type == WatchEventType.Put && IsMine(e.Item))
                    Take(ItemOf(e.Item.Key), e.Revision);
                else
                    Release(ItemOf(e.Item.Key));
                break;
            case PrefixWatch.Failed failed when failed.Generation == _generation && !_leaving:
                _watch?.Dispose();
                _watch = null;
                Context.Timers.StartSingleTimer(RetryTimer, new Resync(), failed.Cause is CompactedException ? TimeSpan.Zero : settings.RetryDelay);
                break;
            case Announce announce when _owned.Contains(announce.Item):
                AnnounceVip(_declared[announce.Item]);
                break;
            case AnnounceFailed failed:
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node}: could not announce {failed.Item}: {failed.Cause.Message}", failed.Cause));
                break;
            case Membership.Registered registered:
                _lease = registered.Lease;
                break;
            case HandOver:
                _leaving = true;
                _watch?.Dispose();
                _watch = null;
                Context.Timers.CancelAll();
                foreach (var item in _owned.ToList())
                    Release(item);
                HandOverAsync(_lease).PipeTo(Sender, done => done, e => new StatusFailure(e));
                break;
            case Resync or Snapshot or ReadFailed or Announce or Announced or PrefixWatch.Changed or PrefixWatch.Failed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private string ItemOf(string key) => key[settings.OwnersPrefix.Length..];

    private bool IsMine(KeyValue owner) =>
        _declared.ContainsKey(ItemOf(owner.Key)) && StoredJson.TryRead(owner.Value, MembershipJson.Default.OwnerRecord)?.Node == settings.Node;

    private void Take(string id, long revision)
    {
        if (!_owned.Add(id))
            return;
        var item = _declared[id];
        Context.System.EventStream.Publish(new ItemOwned(settings.Node, item, revision));
        if (item.Kind != ClusterItemKind.Vip)
            return;
        AnnounceVip(item);
        for (var i = 0; i < settings.Reannounce.Count; i++)
            Context.Timers.StartSingleTimer($"announce {id} {i}", new Announce(id), settings.Reannounce[i]);
    }

    private void Release(string id)
    {
        if (!_owned.Remove(id))
            return;
        for (var i = 0; i < settings.Reannounce.Count; i++)
            Context.Timers.Cancel($"announce {id} {i}");
        Context.System.EventStream.Publish(new ItemReleased(settings.Node, id));
    }

    private void AnnounceVip(ClusterItem item)
    {
        if (item.Address is { } address && item.Adapter is { } adapter && settings.Announcers.TryGetValue(adapter, out var announcer))
            Task.Run(() => announcer.Announce(address)).PipeTo(Self, new Announced(), e => new AnnounceFailed(item.Id, e));
    }

    /// <summary>
    /// Deletes this node's owner, member and election keys, each only if it is on <paramref name="lease"/> (owner keys are
    /// written on the owner's member lease),
    /// in one transaction (read again if one of them changed meanwhile).
    /// </summary>
    private async Task<HandedOver> HandOverAsync(long lease)
    {
        for (var attempt = 0; ; attempt++)
        {
            var owners = await settings.Store.RangeAsync(settings.OwnersPrefix);
            var mine = owners.Items.Where(kv => kv.Lease == lease && StoredJson.TryRead(kv.Value, MembershipJson.Default.OwnerRecord)?.Node == settings.Node).ToList();
            foreach (var key in new[] { $"{settings.Prefix}members/{settings.Node}", $"{settings.Prefix}election/{settings.Node}" })
                mine.AddRange((await settings.Store.GetAsync(key)).Items.Where(kv => lease != 0 && kv.Lease == lease));
            var result = await settings.Store.TxnAsync([.. mine.Select(kv => Compare.ModRevision(kv.Key, kv.ModRevision))], [.. mine.Select(kv => new TxnOp.Delete(kv.Key))]);
            if (result.Succeeded)
                return new HandedOver(settings.Node, [.. mine.Where(kv => kv.Key.StartsWith(settings.OwnersPrefix, StringComparison.Ordinal)).Select(kv => ItemOf(kv.Key))], result.Revision);
            if (attempt == 4)
                throw new InvalidOperationException($"{settings.Node}: the owners kept changing while it handed its items over.");
        }
    }
}
