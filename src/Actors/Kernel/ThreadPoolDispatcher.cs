namespace PdCluster.Actors.Kernel;

/// <summary>The default dispatcher: mailboxes run as work items on the .NET thread pool.</summary>
internal sealed class ThreadPoolDispatcher : IDispatcher
{
    public static readonly ThreadPoolDispatcher Instance = new();

    public void Attach(Mailbox mailbox, ActorCell cell)
    {
    }

    public void Schedule(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);

    public void Detach(Mailbox mailbox)
    {
    }
}
