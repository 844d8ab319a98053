namespace PdCluster.Actors.Kernel;

/// <summary>Runs mailboxes on threads.</summary>
internal interface IDispatcher
{
    /// <summary>Called once when a mailbox is created on this dispatcher.</summary>
    void Attach(Mailbox mailbox, ActorCell cell);

    /// <summary>Makes sure the mailbox runs soon.</summary>
    void Schedule(Mailbox mailbox);

    /// <summary>Called once when the actor terminated.</summary>
    void Detach(Mailbox mailbox);
}
