using System.Threading.Channels;
using PdCluster.Actors.Kernel;
using Xunit.Sdk;

namespace PdCluster.TestKit;

/// <summary>
/// An actor under the test's control: it queues whatever it receives, and the Expect methods take from that queue
/// with a deadline (dilated by <see cref="TestTime"/>, and bounded by an enclosing <see cref="Within{T}"/>).
/// </summary>
public sealed class TestProbe
{
    private readonly Channel<(object Message, IActorRef Sender)> _queue = Channel.CreateUnbounded<(object, IActorRef)>();
    private readonly AsyncLocal<DateTime?> _deadline = new();

    internal TestProbe(ActorSystem system, string name)
    {
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(_queue.Writer)), name);
    }

    /// <summary>The probe's address: send it messages, pass it as a sender.</summary>
    public IActorRef Ref { get; }

    /// <summary>Who sent the last message taken.</summary>
    public IActorRef LastSender { get; private set; } = Nobody.Instance;

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Replies to <see cref="LastSender"/>.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Makes the probe watch <paramref name="target"/>: it will receive <see cref="Terminated"/>.</summary>
    public void Watch(IActorRef target)
    {
        Ref.Tell(new ProbeActor.WatchRequest(target));
        ExpectMsg<ProbeActor.Watching>(m => m.Target == target);
    }

    /// <summary>Takes the next message, which must be a <typeparamref name="T"/> (and satisfy <paramref name="predicate"/>).</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var (message, _) = Next(timeout, $"a {typeof(T).Name}");
        if (message is not T t)
            throw new XunitException($"Expected a {typeof(T).Name} but got {Describe(message)}.");
        if (predicate is not null && !predicate(t))
            throw new XunitException($"Got {Describe(message)}, which does not satisfy the expectation.");
        return t;
    }

    /// <summary>Takes the next message, which must equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull
    {
        var (message, _) = Next(timeout, Describe(expected));
        if (!expected.Equals(message))
            throw new XunitException($"Expected {Describe(expected)} but got {Describe(message)}.");
        return expected;
    }

    /// <summary>Takes the next message, which must be a <typeparamref name="T"/> sent by <paramref name="sender"/>.</summary>
    public T ExpectMsgFrom<T>(IActorRef sender, TimeSpan? timeout = null)
    {
        var t = ExpectMsg<T>(timeout: timeout);
        if (LastSender != sender)
            throw new XunitException($"Expected {typeof(T).Name} from {sender.Path} but it came from {LastSender.Path}.");
        return t;
    }

    /// <summary>Fails if any message arrives within <paramref name="duration"/> (dilated).</summary>
    public void ExpectNoMsg(TimeSpan duration)
    {
        using var cancel = new CancellationTokenSource(Bound(TestTime.Dilated(duration)));
        try
        {
            var next = _queue.Reader.ReadAsync(cancel.Token).AsTask().GetAwaiter().GetResult();
            throw new XunitException($"Expected no message but got {Describe(next.Message)} from {next.Sender.Path}.");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="target"/> (watch it first).</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) =>
        ExpectMsg<Terminated>(t => t.ActorRef == target, timeout);

    /// <summary>Skips messages until one satisfies <paramref name="isTarget"/>, and returns it.</summary>
    public object FishForMessage(Func<object, bool> isTarget, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + Bound(timeout.HasValue ? TestTime.Dilated(timeout.Value) : TestTime.DefaultTimeout);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            var (message, _) = Next(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), "a message matching the fish", dilate: false);
            if (isTarget(message))
                return message;
        }
    }

    /// <summary>Takes the next <paramref name="count"/> messages.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + Bound(timeout.HasValue ? TestTime.Dilated(timeout.Value) : TestTime.DefaultTimeout);
        var messages = new List<object>(count);
        while (messages.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                throw new XunitException($"Expected {count} messages but got {messages.Count} in time.");
            messages.Add(Next(remaining, $"message {messages.Count + 1} of {count}", dilate: false).Message);
        }
        return messages;
    }

    /// <summary>
    /// Runs <paramref name="block"/>, which must take between <paramref name="min"/> and <paramref name="max"/>
    /// (dilated); expectations inside wait no longer than what is left of <paramref name="max"/>.
    /// </summary>
    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> block)
    {
        var start = DateTime.UtcNow;
        var outer = _deadline.Value;
        var deadline = start + TestTime.Dilated(max);
        _deadline.Value = outer is { } o && o < deadline ? o : deadline;
        try
        {
            var result = block();
            var took = DateTime.UtcNow - start;
            if (took < min)
                throw new XunitException($"The block took {took.TotalMilliseconds:0} ms, less than the {min.TotalMilliseconds:0} ms expected.");
            if (took > TestTime.Dilated(max))
                throw new XunitException($"The block took {took.TotalMilliseconds:0} ms, more than the {TestTime.Dilated(max).TotalMilliseconds:0} ms allowed.");
            return result;
        }
        finally
        {
            _deadline.Value = outer;
        }
    }

    /// <summary><see cref="Within{T}(TimeSpan, TimeSpan, Func{T})"/> with no lower bound.</summary>
    public void Within(TimeSpan max, Action block) => Within(TimeSpan.Zero, max, () =>
    {
        block();
        return 0;
    });

    private (object Message, IActorRef Sender) Next(TimeSpan? timeout, string what, bool dilate = true)
    {
        var wait = Bound(timeout is { } t ? (dilate ? TestTime.Dilated(t) : t) : TestTime.DefaultTimeout);
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            var next = _queue.Reader.ReadAsync(cancel.Token).AsTask().GetAwaiter().GetResult();
            LastSender = next.Sender;
            return next;
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"Timed out after {wait.TotalMilliseconds:0} ms waiting for {what}.");
        }
    }

    private TimeSpan Bound(TimeSpan wait)
    {
        if (_deadline.Value is not { } deadline)
            return wait;
        var left = deadline - DateTime.UtcNow;
        return left < wait ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : wait;
    }

    private static string Describe(object? message) => message switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => $"{message.GetType().Name} {message}",
    };

    /// <summary>The actor behind a probe.</summary>
    private sealed class ProbeActor(ChannelWriter<(object, IActorRef)> queue) : ActorBase
    {
        public sealed record WatchRequest(IActorRef Target);

        public sealed record Watching(IActorRef Target);

        protected override void OnReceive(object message)
        {
            if (message is WatchRequest request)
            {
                Context.Watch(request.Target);
                queue.TryWrite((new Watching(request.Target), Self));
                return;
            }
            queue.TryWrite((message, Sender));
        }
    }
}
