namespace PdCluster.Actors.Kernel;

/// <summary>An actor that declares its handlers by message type, checked in the order declared.</summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly List<Handler> _handlers = [];

    /// <summary>Handles messages of type <typeparamref name="T"/>.</summary>
    protected void Receive<T>(Action<T> handler) => _handlers.Add(new(m => m is T, m => handler((T)m)));

    /// <summary>Handles messages of type <typeparamref name="T"/> that satisfy <paramref name="when"/>.</summary>
    protected void Receive<T>(Func<T, bool> when, Action<T> handler) => _handlers.Add(new(m => m is T t && when(t), m => handler((T)m)));

    /// <summary>Handles any message not handled by an earlier declaration.</summary>
    protected void ReceiveAny(Action<object> handler) => _handlers.Add(new(_ => true, handler));

    /// <inheritdoc/>
    protected sealed override void OnReceive(object message)
    {
        foreach (var handler in _handlers)
        {
            if (handler.Accepts(message))
            {
                handler.Handle(message);
                return;
            }
        }
        Unhandled(message);
    }

    private sealed record Handler(Func<object, bool> Accepts, Action<object> Handle);
}
