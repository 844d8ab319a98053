namespace PdCluster.Actors.Kernel;

/// <summary>Request/response with an actor. Every Ask has a timeout; a late reply goes to dead letters.</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> and waits for a reply of type <typeparamref name="T"/>. Fails with
    /// <see cref="AskTimeoutException"/> after <paramref name="timeout"/>, with <see cref="AskTypeMismatchException"/>
    /// for a reply of another type, and with the cause of a <see cref="StatusFailure"/> reply.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), "An Ask needs a positive timeout.");
        var deadLetters = (target as LocalActorRef)?.Cell.System.DeadLetters;
        var promise = new PromiseActorRef(target, deadLetters);
        using var timer = new CancellationTokenSource(timeout);
        await using var registration = timer.Token.Register(() =>
            promise.Fail(new AskTimeoutException($"Ask to {target.Path} with {message.GetType().Name} got no reply within {timeout.TotalMilliseconds:0} ms.")));
        target.Tell(message, promise);
        var reply = await promise.Reply.ConfigureAwait(false);
        return reply switch
        {
            T t => t,
            StatusFailure failure => throw failure.Cause,
            _ => throw new AskTypeMismatchException($"Ask to {target.Path} expected {typeof(T).Name} but got {reply.GetType().Name}."),
        };
    }

    /// <summary>Sends <see cref="PoisonPill"/> and waits up to <paramref name="timeout"/> for the actor to stop; true if it did.</summary>
    public static async Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout)
    {
        var cell = (target as LocalActorRef)?.Cell ?? throw new ArgumentException($"{target.Path} is not a local actor.", nameof(target));
        target.Tell(PoisonPill.Instance);
        var finished = await Task.WhenAny(cell.WhenTerminated, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == cell.WhenTerminated;
    }

    /// <summary>A one-shot reference that completes an Ask with the first message it gets.</summary>
    private sealed class PromiseActorRef(IActorRef target, IActorRef? deadLetters) : IActorRef
    {
        private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<object> Reply => _reply.Task;

        public string Path => $"/temp/ask-{target.Path.TrimStart('/').Replace('/', '-')}";

        public void Tell(object message, IActorRef? sender = null)
        {
            if (!_reply.TrySetResult(message))
                deadLetters?.Tell(new DeadLetter(message, sender ?? Nobody.Instance, this));
        }

        public void Fail(Exception e) => _reply.TrySetException(e);

        public override string ToString() => Path;
    }
}
