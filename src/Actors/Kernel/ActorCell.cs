namespace PdCluster.Actors.Kernel;

/// <summary>
/// The kernel's side of one actor: its mailbox, instance, children, watchers and lifecycle. Everything here runs on
/// the mailbox's thread except what is marked otherwise (child creation and lookups take a lock).
/// </summary>
internal sealed class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? s_current;

    private readonly Props _props;
    private readonly Dictionary<string, LocalActorRef> _children = [];
    private readonly Lock _childrenLock = new();
    private readonly HashSet<IActorRef> _stopping = [];
    private readonly Dictionary<IActorRef, RestartStats> _restartStats = [];
    private readonly HashSet<IActorRef> _watching = [];
    private readonly HashSet<IActorRef> _watchedBy = [];
    private readonly HashSet<IActorRef> _terminatedPending = [];
    private readonly TaskCompletionSource _whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimerScheduler _timers;
    private ActorBase? _actor;
    private Recreate? _pendingRecreate;
    private int _nameCounter;
    private bool _terminating;
    private object? _currentMessage;
    private volatile bool _suspended;

    public ActorCell(ActorSystem system, ActorCell? parent, Props props, string path)
    {
        System = system;
        ParentCell = parent;
        _props = props;
        Path = path;
        Self = new LocalActorRef(this);
        Mailbox = new Mailbox(this, system.DispatcherFor(props.Dispatcher), system.Throughput);
        _timers = new TimerScheduler(this);
    }

    public ActorSystem System { get; }

    public ActorCell? ParentCell { get; }

    public string Path { get; }

    public LocalActorRef Self { get; }

    IActorRef IActorContext.Self => Self;

    public IActorRef Sender { get; private set; } = Nobody.Instance;

    public IActorRef Parent => (IActorRef?)ParentCell?.Self ?? Nobody.Instance;

    public Mailbox Mailbox { get; }

    public ITimerScheduler Timers => _timers;

    /// <summary>The instance as a polled actor, if it is one (read by the pinned dispatcher's thread).</summary>
    public volatile IPolledActor? Polled;

    public bool IsSuspended => _suspended;

    public bool IsTerminated => _whenTerminated.Task.IsCompleted;

    public Task WhenTerminated => _whenTerminated.Task;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_childrenLock)
                return [.. _children.Values];
        }
    }

    /// <summary>The actor whose message or hook this thread is running now (Akka's implicit sender), if any.</summary>
    public static IActorRef? CurrentSelf => s_current?.Self;

    public void Start()
    {
        Mailbox.Dispatcher.Attach(Mailbox, this);
        Self.SendSystem(new Create());
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        LocalActorRef child;
        lock (_childrenLock)
        {
            if (_terminating)
                throw new InvalidOperationException($"{Path} is stopping and cannot create children.");
            name ??= "$" + ToBase36(_nameCounter++);
            if (name.Length == 0 || name.Contains('/'))
                throw new ArgumentException($"'{name}' is not a valid actor name (non-empty, no '/').", nameof(name));
            if (_children.ContainsKey(name))
                throw new InvalidOperationException($"{Path} already has a child named '{name}'.");
            var cell = new ActorCell(System, this, props, Path == "/" ? "/" + name : Path + "/" + name);
            child = cell.Self;
            _children.Add(name, child);
        }
        child.Cell.Start();
        return child;
    }

    public void Stop(IActorRef actor)
    {
        if (actor == Self)
        {
            BeginTerminate();
            return;
        }
        if (actor is LocalActorRef local && local.Cell.ParentCell == this)
        {
            _stopping.Add(actor);
            local.SendSystem(new Terminate());
            return;
        }
        throw new InvalidOperationException($"{Path} can stop only itself and its children, not {actor.Path}.");
    }

    public IActorRef Watch(IActorRef actor)
    {
        if (actor == Self)
            return actor;
        var target = actor as LocalActorRef ?? throw new ArgumentException($"{actor.Path} cannot be watched.", nameof(actor));
        if (_watching.Add(actor))
            target.SendSystem(new Watch(actor, Self));
        return actor;
    }

    public IActorRef Unwatch(IActorRef actor)
    {
        _terminatedPending.Remove(actor);
        if (_watching.Remove(actor) && actor is LocalActorRef target)
            target.SendSystem(new Unwatch(actor, Self));
        return actor;
    }

    /// <summary>Handles one user message.</summary>
    public void Invoke(Envelope envelope)
    {
        _currentMessage = envelope.Message;
        Sender = envelope.Sender;
        var previous = s_current;
        s_current = this;
        try
        {
            switch (envelope.Message)
            {
                case PoisonPill:
                    BeginTerminate();
                    break;
                case Kill:
                    throw new ActorKilledException($"{Path} was killed.");
                case TimerMessage timer:
                    if (_timers.Accept(timer))
                        _actor!.Receive(timer.Message);
                    break;
                case WatchedTerminated watched:
                    if (_terminatedPending.Remove(watched.Terminated.ActorRef))
                        _actor!.Receive(watched.Terminated);
                    break;
                default:
                    _actor!.Receive(envelope.Message);
                    break;
            }
        }
        catch (Exception e)
        {
            HandleFailure(e, envelope.Message);
        }
        finally
        {
            _currentMessage = null;
            Sender = Nobody.Instance;
            s_current = previous;
        }
    }

    /// <summary>Suspends this actor and reports the failure to its supervisor.</summary>
    public void HandleFailure(Exception cause, object? message)
    {
        if (_terminating)
        {
            System.EventStream.Publish(new ActorError(Self, $"{Path} failed while stopping: {cause.Message}", cause));
            return;
        }
        _suspended = true;
        if (ParentCell is null)
        {
            System.EventStream.Publish(new ActorError(Self, $"The root guardian failed: {cause.Message}", cause));
            _suspended = false;
            return;
        }
        ParentCell.Self.SendSystem(new Failed(Self, cause, message));
    }

    public void SystemInvoke(SystemMessage message)
    {
        var previous = s_current;
        s_current = this;
        try
        {
            SystemInvokeCore(message);
        }
        finally
        {
            s_current = previous;
        }
    }

    private void SystemInvokeCore(SystemMessage message)
    {
        switch (message)
        {
            case Create:
                Instantiate(null);
                break;
            case Failed failed:
                SuperviseFailure(failed);
                break;
            case Resume:
                _suspended = false;
                break;
            case Recreate recreate:
                Restart(recreate);
                break;
            case Terminate:
                BeginTerminate();
                break;
            case Watch watch:
                _watchedBy.Add(watch.Watcher);
                break;
            case Unwatch unwatch:
                _watchedBy.Remove(unwatch.Watcher);
                break;
            case DeathWatchNotification death:
                OnDeath(death.Actor);
                break;
        }
    }

    /// <summary>A system message reached this actor after it terminated: answer watches at once.</summary>
    public void OnSystemMessageAfterClose(SystemMessage message)
    {
        if (message is Watch watch && watch.Watcher is LocalActorRef watcher)
            watcher.SendSystem(new DeathWatchNotification(Self));
    }

    private void Instantiate(Exception? restartCause)
    {
        try
        {
            var actor = ActorBase.Construct(this, _props.Factory);
            _actor = actor;
            Polled = actor as IPolledActor;
            if (restartCause is null)
                actor.RunPreStart();
            else
                actor.RunPostRestart(restartCause);
            _suspended = false;
        }
        catch (Exception e)
        {
            HandleFailure(new ActorInitializationException(Self, $"{Path} failed to start: {e.Message}", e), null);
        }
    }

    private void Restart(Recreate recreate)
    {
        if (_terminating)
            return;
        _timers.CancelAll();
        try
        {
            _actor?.RunPreRestart(recreate.Cause, recreate.Message);
        }
        catch (Exception e)
        {
            System.EventStream.Publish(new ActorError(Self, $"{Path}: PreRestart threw: {e.Message}", e));
        }
        _actor = null;
        Polled = null;
        if (_stopping.Count > 0)
            _pendingRecreate = recreate;
        else
            Instantiate(recreate.Cause);
    }

    private void SuperviseFailure(Failed failed)
    {
        lock (_childrenLock)
        {
            if (!_children.ContainsValue(failed.Child))
                return;
        }
        var strategy = _actor?.Strategy ?? System.GuardianStrategy;
        var directive = strategy.Decide(failed.Cause);
        System.EventStream.Publish(new ActorFailed(failed.Child, failed.Cause, directive));
        IReadOnlyCollection<IActorRef> targets = strategy.AppliesToAllChildren ? Children : [failed.Child];
        switch (directive)
        {
            case Directive.Resume:
                failed.Child.SendSystem(new Resume());
                break;
            case Directive.Restart:
                var now = System.Time.GetUtcNow();
                if (!_restartStats.TryGetValue(failed.Child, out var stats))
                    _restartStats[failed.Child] = stats = new RestartStats(now);
                var allowed = stats.RequestRestartPermission(strategy.MaxRetries, strategy.Window, now);
                foreach (var target in targets.Where(t => !_stopping.Contains(t)))
                {
                    if (allowed)
                        ((LocalActorRef)target).SendSystem(new Recreate(failed.Cause, target == failed.Child ? failed.Message : null));
                    else
                        Stop(target);
                }
                break;
            case Directive.Stop:
                foreach (var target in targets.Where(t => !_stopping.Contains(t)))
                    Stop(target);
                break;
            case Directive.Escalate:
                HandleFailure(failed.Cause, _currentMessage);
                break;
        }
    }

    private void BeginTerminate()
    {
        if (_terminating)
            return;
        _terminating = true;
        _suspended = true;
        IReadOnlyCollection<IActorRef> children = Children;
        foreach (var child in children)
        {
            _stopping.Add(child);
            ((LocalActorRef)child).SendSystem(new Terminate());
        }
        if (children.Count == 0)
            FinishTerminate();
    }

    private void FinishTerminate()
    {
        _timers.CancelAll();
        try
        {
            _actor?.RunPostStop();
        }
        catch (Exception e)
        {
            System.EventStream.Publish(new ActorError(Self, $"{Path}: PostStop threw: {e.Message}", e));
        }
        _actor = null;
        Polled = null;
        Mailbox.Close();
        Mailbox.Dispatcher.Detach(Mailbox);
        System.EventStream.Unsubscribe(Self);
        foreach (var watchee in _watching)
        {
            if (watchee is LocalActorRef target)
                target.SendSystem(new Unwatch(watchee, Self));
        }
        foreach (var watcher in _watchedBy)
        {
            if (watcher is LocalActorRef w)
                w.SendSystem(new DeathWatchNotification(Self));
        }
        ParentCell?.Self.SendSystem(new DeathWatchNotification(Self));
        _whenTerminated.TrySetResult();
        if (ParentCell is null)
            System.OnGuardianTerminated();
    }

    private void OnDeath(IActorRef actor)
    {
        if (actor is LocalActorRef local && local.Cell.ParentCell == this)
        {
            // A parent that watches its child hears of its death twice, the second time possibly after the name was
            // reused: only the dead child itself is forgotten, never a successor of the same name.
            lock (_childrenLock)
            {
                if (_children.TryGetValue(local.Cell.Name, out var current) && current == local)
                    _children.Remove(local.Cell.Name);
            }
            _stopping.Remove(actor);
            _restartStats.Remove(actor);
            if (_terminating && Children.Count == 0)
                FinishTerminate();
            else if (_pendingRecreate is { } recreate && _stopping.Count == 0)
            {
                _pendingRecreate = null;
                Instantiate(recreate.Cause);
            }
        }
        if (_watching.Remove(actor))
        {
            _terminatedPending.Add(actor);
            Mailbox.Post(new Envelope(new WatchedTerminated(new Terminated(actor)), actor));
        }
    }

    /// <summary>The last segment of the path.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    private static string ToBase36(int n)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var s = "";
        do
        {
            s = digits[n % 36] + s;
            n /= 36;
        }
        while (n > 0);
        return s;
    }
}
