namespace PdCluster.Actors.Kernel;

/// <summary>What a supervisor does with a failed child.</summary>
public enum Directive
{
    /// <summary>Keep the actor and its state; drop the failing message and go on.</summary>
    Resume,
    /// <summary>Replace the actor with a fresh instance; the failing message is not retried.</summary>
    Restart,
    /// <summary>Stop the actor.</summary>
    Stop,
    /// <summary>Fail the supervisor itself with the same exception, for its own supervisor to decide.</summary>
    Escalate,
}
