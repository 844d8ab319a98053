namespace PdCluster.Actors.Kernel;

/// <summary>
/// A system-wide publish/subscribe bus: a subscriber to a type gets every event of that type or a subtype
/// (dead letters, actor failures, and anything the application publishes).
/// </summary>
public sealed class EventStream
{
    private readonly Lock _lock = new();
    private (IActorRef Subscriber, Type Channel)[] _subscriptions = [];

    /// <summary>Subscribes to events assignable to <paramref name="channel"/>; false if already subscribed.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        lock (_lock)
        {
            if (_subscriptions.Contains((subscriber, channel)))
                return false;
            _subscriptions = [.. _subscriptions, (subscriber, channel)];
            return true;
        }
    }

    /// <summary>Removes one subscription, or all of a subscriber's when <paramref name="channel"/> is null.</summary>
    public void Unsubscribe(IActorRef subscriber, Type? channel = null)
    {
        lock (_lock)
            _subscriptions = [.. _subscriptions.Where(s => s.Subscriber != subscriber || (channel is not null && s.Channel != channel))];
    }

    /// <summary>Sends <paramref name="event"/> to every matching subscriber.</summary>
    public void Publish(object @event)
    {
        foreach (var (subscriber, channel) in Volatile.Read(ref _subscriptions))
        {
            if (channel.IsInstanceOfType(@event))
                subscriber.Tell(@event);
        }
    }
}
