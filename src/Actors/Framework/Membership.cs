using System.Text.Json;
using PdCluster.Actors.Kernel;
using PdCluster.Cluster;

namespace PdCluster.Actors.Framework;

/// <summary>
/// Keeps a node registered in the cluster store: grants a lease, writes <c>members/&lt;node&gt;</c> on it (only if no
/// other lease holds that key: another node's registration is never overwritten), keeps it
/// alive every TTL/3 with at most one keepalive unanswered, and registers again if the lease is lost. Mirrors every
/// <see cref="AdapterStateChanged"/> (with the declared items the node cannot serve then, <see cref="ItemReadiness"/>) and the <see cref="FilterAgent"/>'s latest <see cref="FilterAgentStatus"/> into
/// <c>status/&lt;node&gt;</c> on the same lease, one write at a time (the latest state wins). The record is bounded: it
/// lists at most <see cref="FilterAgentStatus.ListedRejections"/> refusals (the newest) beside their count, and after a
/// failed write the next ones list none, so adapter states and the applied revision always get through. Store calls
/// never block the actor: their outcomes come back as messages.
/// </summary>
public sealed class Membership(MembershipSettings settings) : ActorBase
{
    private const string KeepAliveTimer = "keepalive";
    private const string StatusTimer = "status";
    private readonly Dictionary<string, AdapterState> _adapters = [];
    private FilterAgentStatus? _filters;
    private bool _writing;
    private bool _dirty;
    private bool _degraded;
    private long _lease;
    private long _renewing;
    private bool _registering;
    private bool _leaving;

    /// <summary>The lease the node's keys live on (0 while unregistered).</summary>
    public sealed record Registered(long Lease);

    private sealed record RegistrationFailed(Exception Cause);

    private sealed record KeepAlive;

    private sealed record KeptAlive(long Lease);

    private sealed record KeepAliveFailed(long Lease, Exception Cause);

    private sealed record LeaseLost(long Lease);

    private sealed record Retry;

    private sealed record StatusWritten;

    private sealed record StatusWriteFailed(long Lease, Exception Cause);

    private sealed record RewriteStatus;

    /// <inheritdoc/>
    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AdapterStateChanged));
        Context.System.EventStream.Subscribe(Self, typeof(FilterAgentStatus));
        Register();
    }

    /// <inheritdoc/>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Registered registered when !_leaving:
                _registering = false;
                _lease = registered.Lease;
                _renewing = 0;
                Context.Timers.StartPeriodicTimer(KeepAliveTimer, new KeepAlive(), settings.Ttl / 3);
                WriteStatus();
                Context.System.EventStream.Publish(registered);
                break;
            case RegistrationFailed failed:
                _registering = false;
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node} could not register: {failed.Cause.Message}", failed.Cause));
                Context.Timers.StartSingleTimer("retry", new Retry(), settings.Ttl / 3);
                break;
            case Retry:
                Register();
                break;
            case KeepAlive when _lease != 0 && _renewing == 0:
                var lease = _renewing = _lease;
                RenewAsync(lease).PipeTo(Self, new KeptAlive(lease), e => e is LeaseNotFoundException ? new LeaseLost(lease) : new KeepAliveFailed(lease, e));
                break;
            case KeepAlive:
                break;
            case KeptAlive kept when kept.Lease == _renewing:
                _renewing = 0;
                break;
            case KeepAliveFailed failed when failed.Lease == _renewing:
                _renewing = 0;
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node} could not keep lease {failed.Lease:x} alive: {failed.Cause.Message}", failed.Cause));
                break;
            case LeaseLost lost when lost.Lease == _lease:
                _lease = 0;
                _renewing = 0;
                Context.Timers.Cancel(KeepAliveTimer);
                Register();
                break;
            case AdapterStateChanged changed:
                _adapters[changed.Adapter] = changed.State;
                WriteStatus();
                break;
            case FilterAgentStatus filters:
                _filters = filters;
                WriteStatus();
                break;
            case StatusWritten:
                _writing = false;
                _degraded = false;
                if (_dirty)
                    WriteStatus();
                break;
            case StatusWriteFailed { Cause: LeaseNotFoundException } lost:
                _writing = false;
                _dirty = true;
                Self.Tell(new LeaseLost(lost.Lease));
                break;
            case StatusWriteFailed failed:
                _writing = false;
                _dirty = true;
                _degraded = true;
                Context.System.EventStream.Publish(new ActorError(Self, $"{settings.Node} could not write its status: {failed.Cause.Message}", failed.Cause));
                Context.Timers.StartSingleTimer(StatusTimer, new RewriteStatus(), settings.Ttl / 3);
                break;
            case RewriteStatus:
                WriteStatus();
                break;
            case LeaveCluster:
                _leaving = true;
                Context.Timers.CancelAll();
                var sender = Sender;
                (_lease == 0 ? Task.CompletedTask : settings.Store.RevokeAsync(_lease))
                    .PipeTo(sender, new LeftCluster(settings.Node), e => new StatusFailure(e));
                _lease = 0;
                break;
            case LeaseLost or Registered or KeptAlive or KeepAliveFailed:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Register()
    {
        if (_registering || _leaving)
            return;
        _registering = true;
        var member = JsonSerializer.Serialize(new MemberRecord(settings.Node, settings.Admin, DateTimeOffset.UtcNow, [.. settings.Items.Select(i => i.Id)]), MembershipJson.Default.MemberRecord);
        RegisterAsync(member).PipeTo(Self, lease => new Registered(lease), e => new RegistrationFailed(e));
    }

    private async Task<long> RegisterAsync(string member)
    {
        var key = $"{settings.Prefix}members/{settings.Node}";
        var lease = await settings.Store.GrantLeaseAsync(settings.Ttl);
        if ((await settings.Store.TxnAsync([Compare.CreateRevision(key, 0)], [new TxnOp.Put(key, member, lease)])).Succeeded)
            return lease;
        await settings.Store.RevokeAsync(lease);
        var holder = (await settings.Store.GetAsync(key)).Items.FirstOrDefault();
        throw new InvalidOperationException($"{key} is held by another node of that name (lease {holder?.Lease:x}, admin {StoredJson.TryRead(holder?.Value ?? "", MembershipJson.Default.MemberRecord)?.Admin ?? "unknown"}); it registers when that key is gone.");
    }

    /// <summary>One keepalive; one still unanswered after a TTL is given up (the lease has expired by then).</summary>
    private async Task RenewAsync(long lease)
    {
        using var timeout = new CancellationTokenSource(settings.Ttl);
        try
        {
            await settings.Store.KeepAliveAsync(lease, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"the store answered no keepalive within the lease's TTL ({settings.Ttl.TotalSeconds:0.#} s), so the lease has most likely expired; keepalives go on every {(settings.Ttl / 3).TotalSeconds:0.#} s, and a lease found gone registers the node again");
        }
    }

    private void WriteStatus()
    {
        if (_lease == 0 || _leaving)
            return;
        if (_writing)
        {
            _dirty = true;
            return;
        }
        _writing = true;
        _dirty = false;
        var filters = _filters?.Bounded(_degraded ? 0 : FilterAgentStatus.ListedRejections);
        var status = JsonSerializer.Serialize(new MemberStatus(settings.Node, new Dictionary<string, AdapterState>(_adapters), filters,
            ItemReadiness.Unserved(settings.Items, _adapters, settings.Teams)), MembershipJson.Default.MemberStatus);
        var lease = _lease;
        settings.Store.PutAsync($"{settings.Prefix}status/{settings.Node}", status, lease)
            .PipeTo(Self, _ => new StatusWritten(), e => new StatusWriteFailed(lease, e));
    }
}
